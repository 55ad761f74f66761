#ifndef CFOLDEREXCHANGE_H
#define CFOLDEREXCHANGE_H

/// Atomically exchanges two paths (both must exist): Linux renameat2(RENAME_EXCHANGE), macOS
/// renamex_np(RENAME_SWAP). Returns 0, or -1 with errno set (ENOSYS / EINVAL where the kernel or
/// file system cannot: the caller then falls back to two renames). Swift cannot call the variadic
/// syscall(2) itself, and glibc declares renameat2 only under _GNU_SOURCE.
int lsg_exchange_paths(const char *first, const char *second);

#endif
