#ifndef CFILERANGECOPY_H
#define CFILERANGECOPY_H

#include <stddef.h>
#include <sys/types.h>

/// Copies up to `length` bytes from `source` at `source_offset` to the current position of
/// `destination`, inside the kernel (Linux copy_file_range(2): page cache to page cache, no user
/// mapping of the source). Returns the bytes copied (0 at the source's end), or -1 with errno set;
/// ENOSYS on systems without the call (the caller then writes the bytes itself). glibc declares
/// copy_file_range only under _GNU_SOURCE, which Swift's Glibc module does not define.
ssize_t lsg_copy_file_range(int source, long long source_offset, int destination, size_t length);

#endif
