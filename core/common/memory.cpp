#include "memory.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace cairn {

void returnLargeBuffersOnFree()
{
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
}

} // namespace cairn
