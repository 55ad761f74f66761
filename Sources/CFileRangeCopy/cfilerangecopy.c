#define _GNU_SOURCE
#include "cfilerangecopy.h"
#include <errno.h>
#include <unistd.h>

#if defined(__linux__)
ssize_t lsg_copy_file_range(int source, long long source_offset, int destination, size_t length) {
    loff_t offset = (loff_t)source_offset;
    return copy_file_range(source, &offset, destination, NULL, length, 0);
}
#else
ssize_t lsg_copy_file_range(int source, long long source_offset, int destination, size_t length) {
    (void)source; (void)source_offset; (void)destination; (void)length;
    errno = ENOSYS;
    return -1;
}
#endif
