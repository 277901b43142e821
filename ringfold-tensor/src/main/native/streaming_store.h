/*
 * Streaming (non-temporal) stores, for data written into a shared-memory segment that another process
 * reads next.
 *
 * Why: a plain store first takes ownership of its cache line (a read for ownership), and the lines of a
 * segment were last read by the peer's core, so each one must be taken from it. On the 2-core VMs we
 * measure on, those transfers ran 4 to 10 times slower in some periods (writing into the segment fell
 * from ~25-60 to ~5 GB/s, reads out of it unchanged), which made two worker processes 30-50% slower for
 * as long as it lasted (bench/RESULTS.md). Streaming stores write whole lines through write-combining
 * buffers without asking for them: the write no longer depends on where the line is, at the price of the
 * peer reading it from memory instead of from this core's cache, which costs ~10% of a step when the
 * plain stores are fast. The Java side (the parallel module's SegmentStores) measures both and picks.
 *
 * The stores are weakly ordered: stream_fence() (sfence) must run before the write is published (the
 * release store of the unit counter in Java comes after the JNI call returns, hence after the fence).
 */
#ifndef RINGFOLD_STREAMING_STORE_H
#define RINGFOLD_STREAMING_STORE_H

#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * Copies n bytes (a multiple of 4) from src to dst (4-byte aligned): 4-byte streaming stores up to dst's
 * 32-byte boundary, 32-byte ones after it, 4-byte ones for the tail. Needs AVX2 (callers check).
 */
__attribute__((target("avx2")))
static inline void stream_store(void *dst, const void *src, size_t n) {
    char *d = dst;
    const char *s = src;
    while (n >= 4 && ((uintptr_t) d & 31) != 0) {
        int v;
        memcpy(&v, s, 4);
        _mm_stream_si32((int *) d, v);
        d += 4, s += 4, n -= 4;
    }
    for (; n >= 32; d += 32, s += 32, n -= 32) {
        _mm256_stream_si256((__m256i *) d, _mm256_loadu_si256((const __m256i *) s));
    }
    for (; n >= 4; d += 4, s += 4, n -= 4) {
        int v;
        memcpy(&v, s, 4);
        _mm_stream_si32((int *) d, v);
    }
}

/* Orders the streaming stores before every later store (the publication of the unit). */
static inline void stream_fence(void) {
    _mm_sfence();
}

#endif
