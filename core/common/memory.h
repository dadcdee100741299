#pragma once

#include <cstddef>

namespace cairn {

// Call first thing in main(). Cairn's data columns are large vectors that worker threads
// allocate and free one column at a time; glibc raises its mmap threshold after the first such
// free, and later columns then come from (and stay in) the heap, so the resident size grows with
// every column computed. A fixed 1 MiB threshold hands every large buffer back on free
// (bench_drift: about 60 MB less peak memory on 1M x 20). No-op on other C libraries.
void returnLargeBuffersOnFree();

// Asks the kernel to back [data, data + bytes) with transparent huge pages where it can (the
// 2 MiB-aligned part; Linux with THP in "madvise" mode, as Debian ships it). Call it on a large
// buffer before its first write: a 300 MB column set then takes about 150 page faults instead of
// 75,000. A hint only; no-op elsewhere.
void preferHugePages(void *data, std::size_t bytes);

} // namespace cairn
