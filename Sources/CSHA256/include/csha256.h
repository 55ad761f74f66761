#ifndef CSHA256_H
#define CSHA256_H

#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU has the x86 SHA extensions (and SSSE3/SSE4.1), else 0.
int csha256_has_shani(void);

/// Runs the SHA-256 compression function over `blocks` 64-byte blocks with the SHA-NI
/// instructions. Only call when csha256_has_shani() returned 1.
void csha256_compress_shani(uint32_t state[8], const uint8_t *data, size_t blocks);

#endif
