/*
 * JNI side of io.ringfold.tensor.FixedPointSum: the exact trainer's conversion of float gradients to
 * int64 fixed point and their sum, out[at + i - from] = sum over s of trunc(grads[s][i] * scale).
 *
 * It must give the bits of the Java loop it replaces on every machine, native or not: the conversion is
 * Java's (long) cast, which truncates toward zero. AVX2 has no double-to-int64 instruction, so the
 * vector path truncates in double (vroundpd toward zero) and reads the integer out of the mantissa:
 * for an integer-valued |x| < 2^51, x + 1.5 * 2^52 is exact and its bit pattern minus that of
 * 1.5 * 2^52 is x in two's complement. FixedPointSum keeps every |g * scale| below 2^51.
 * Without AVX2 the plain C loop runs, which truncates the same way.
 *
 * And back: out[i] = (float) ((double) sums[at + i - from] * scale), Java's conversions (round to
 * nearest at each). The int64-to-double conversion uses the mantissa trick in reverse where all four
 * lanes are below 2^51 in magnitude, which is exact there, and the C conversion (correctly rounded, as
 * Java's) otherwise.
 *
 * Into a direct buffer (a shared-memory segment that another process reads next), on request: each tile
 * summed in a buffer on the stack and written with streaming stores, which take no ownership of the
 * lines (streaming_store.h says when that pays).
 */
#include <immintrin.h>
#include <jni.h>
#include <stdint.h>

#include "streaming_store.h"

/* Elements per tile: 16 KiB of int64 sums stay in the L1 cache while every shard adds into them. */
#define TILE 2048
/* The most shards one call takes (FixedPointSum.NATIVE_MAX_COUNT); more go to the Java loop. */
#define MAX_SHARDS 256

static void sum_scalar(const float *const *g, int count, int from, int to, double scale, int64_t *out,
                       const int64_t *addend) {
    for (int t = from; t < to; t += TILE) {
        int end = to - t > TILE ? t + TILE : to;
        for (int i = t; i < end; i++) {
            out[i - from] = (int64_t) ((double) g[0][i] * scale) + (addend != NULL ? addend[i - from] : 0);
        }
        for (int s = 1; s < count; s++) {
            for (int i = t; i < end; i++) {
                out[i - from] += (int64_t) ((double) g[s][i] * scale);
            }
        }
    }
}

__attribute__((target("avx2")))
static void sum_avx2(const float *const *g, int count, int from, int to, double scale, int64_t *out,
                     const int64_t *addend) {
    const __m256d sc = _mm256_set1_pd(scale);
    const __m256d magic = _mm256_set1_pd(0x1.8p52);
    const __m256i magic_bits = _mm256_castpd_si256(magic);
    for (int t = from; t < to; t += TILE) {
        int end = to - t > TILE ? t + TILE : to;
        for (int s = 0; s < count; s++) {
            const float *gs = g[s];
            int i = t;
            for (; i + 4 <= end; i += 4) {
                __m256d x = _mm256_mul_pd(_mm256_cvtps_pd(_mm_loadu_ps(gs + i)), sc);
                x = _mm256_round_pd(x, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
                __m256i v = _mm256_sub_epi64(_mm256_castpd_si256(_mm256_add_pd(x, magic)), magic_bits);
                int64_t *o = out + (i - from);
                if (s > 0) {
                    v = _mm256_add_epi64(v, _mm256_loadu_si256((const __m256i *) o));
                } else if (addend != NULL) {
                    v = _mm256_add_epi64(v, _mm256_loadu_si256((const __m256i *) (addend + (i - from))));
                }
                _mm256_storeu_si256((__m256i *) o, v);
            }
            for (; i < end; i++) {
                int64_t x = (int64_t) ((double) gs[i] * scale);
                out[i - from] = s > 0 ? out[i - from] + x : x + (addend != NULL ? addend[i - from] : 0);
            }
        }
    }
}

/*
 * Pins the gradient arrays (and outArray, when given) and runs the kernel into the output, plus addend
 * when not NULL. Every array reference is fetched before the first critical section, in which no other
 * JNI call is allowed (nested critical sections are); direct buffers' addresses are taken by the caller
 * before that too. On a failed pin an exception is pending and nothing is written.
 */
static void pin_and_sum(JNIEnv *env, jobjectArray grads, jint count, jint from, jint to, jdouble scale,
                        jlongArray outArray, jint outAt, int64_t *outDirect, const int64_t *addend, int stream) {
    jfloatArray arrays[MAX_SHARDS];
    const float *g[MAX_SHARDS];
    if (count < 1 || count > MAX_SHARDS || (*env)->EnsureLocalCapacity(env, count) != 0) {
        return;
    }
    for (int s = 0; s < count; s++) {
        arrays[s] = (jfloatArray) (*env)->GetObjectArrayElement(env, grads, s);
    }
    int pinned = 0;
    for (; pinned < count; pinned++) {
        g[pinned] = (*env)->GetPrimitiveArrayCritical(env, arrays[pinned], NULL);
        if (g[pinned] == NULL) {
            break;
        }
    }
    int64_t *base = NULL;
    if (pinned == count && outArray != NULL) {
        base = (*env)->GetPrimitiveArrayCritical(env, outArray, NULL);
    }
    int64_t *o = outArray != NULL ? (base != NULL ? base + outAt : NULL) : outDirect;
    if (pinned == count && o != NULL) {
        if (stream && __builtin_cpu_supports("avx2")) {
            int64_t tile[TILE] __attribute__((aligned(64)));
            for (int t = from; t < to; t += TILE) {
                int end = to - t > TILE ? t + TILE : to;
                sum_avx2(g, count, t, end, scale, tile, addend != NULL ? addend + (t - from) : NULL);
                stream_store(o + (t - from), tile, (size_t) (end - t) * sizeof(int64_t));
            }
            stream_fence();
        } else if (__builtin_cpu_supports("avx2")) {
            sum_avx2(g, count, from, to, scale, o, addend);
        } else {
            sum_scalar(g, count, from, to, scale, o, addend);
        }
    }
    if (base != NULL) {
        (*env)->ReleasePrimitiveArrayCritical(env, outArray, base, 0);
    }
    while (pinned-- > 0) {
        (*env)->ReleasePrimitiveArrayCritical(env, arrays[pinned], (void *) g[pinned], JNI_ABORT);
    }
}

/* Arguments are checked in Java: count in 1..MAX_SHARDS and at most grads.length, ranges within every array. */
JNIEXPORT void JNICALL Java_io_ringfold_tensor_FixedPointSum_sumNative(
        JNIEnv *env, jclass cls, jobjectArray grads, jint count, jint from, jint to, jdouble scale,
        jlongArray out, jint at) {
    (void) cls;
    pin_and_sum(env, grads, count, from, to, scale, out, at, NULL, NULL, 0);
}

/* The same into a direct buffer of longs (native order), from element index on, with streaming stores or
   not; checked in Java. */
JNIEXPORT void JNICALL Java_io_ringfold_tensor_FixedPointSum_sumToBufferNative(
        JNIEnv *env, jclass cls, jobjectArray grads, jint count, jint from, jint to, jdouble scale,
        jobject out, jint index, jboolean streaming) {
    (void) cls;
    int64_t *o = (*env)->GetDirectBufferAddress(env, out);
    if (o != NULL) {
        pin_and_sum(env, grads, count, from, to, scale, NULL, 0, o + index, NULL, streaming);
    }
}

/* The sum plus the longs of a direct buffer (native order) from element index on; checked in Java. */
JNIEXPORT void JNICALL Java_io_ringfold_tensor_FixedPointSum_sumPlusNative(
        JNIEnv *env, jclass cls, jobjectArray grads, jint count, jint from, jint to, jdouble scale,
        jlongArray out, jint at, jobject addend, jint index) {
    (void) cls;
    const int64_t *a = (*env)->GetDirectBufferAddress(env, addend);
    if (a != NULL) {
        pin_and_sum(env, grads, count, from, to, scale, out, at, NULL, a + index, 0);
    }
}

static void scale_scalar(const int64_t *sums, int from, int to, double scale, float *out) {
    for (int i = from; i < to; i++) {
        out[i] = (float) ((double) sums[i - from] * scale);
    }
}

__attribute__((target("avx2")))
static void scale_avx2(const int64_t *sums, int from, int to, double scale, float *out) {
    const __m256d sc = _mm256_set1_pd(scale);
    const __m256d magic = _mm256_set1_pd(0x1.8p52);
    const __m256i magic_bits = _mm256_castpd_si256(magic);
    const __m256i limit = _mm256_set1_epi64x((int64_t) 1 << 51);
    const __m256i neg_limit = _mm256_set1_epi64x(-((int64_t) 1 << 51));
    int i = from;
    for (; i + 4 <= to; i += 4) {
        __m256i v = _mm256_loadu_si256((const __m256i *) (sums + (i - from)));
        __m256i out_of_range = _mm256_or_si256(_mm256_cmpgt_epi64(v, limit), _mm256_cmpgt_epi64(neg_limit, v));
        if (!_mm256_testz_si256(out_of_range, out_of_range)) {
            scale_scalar(sums + (i - from), i, i + 4, scale, out);
            continue;
        }
        __m256d d = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_add_epi64(v, magic_bits)), magic);
        _mm_storeu_ps(out + i, _mm256_cvtpd_ps(_mm256_mul_pd(d, sc)));
    }
    scale_scalar(sums + (i - from), i, to, scale, out);
}

/* Arguments are checked in Java: [at, at + to - from) within sums, [from, to) within out. */
JNIEXPORT void JNICALL Java_io_ringfold_tensor_FixedPointSum_scaleNative(
        JNIEnv *env, jclass cls, jlongArray sums, jint at, jdouble scale, jfloatArray out, jint from, jint to) {
    (void) cls;
    int64_t *s = (*env)->GetPrimitiveArrayCritical(env, sums, NULL);
    float *o = s != NULL ? (*env)->GetPrimitiveArrayCritical(env, out, NULL) : NULL;
    if (o != NULL) {
        if (__builtin_cpu_supports("avx2")) {
            scale_avx2(s + at, from, to, scale, o);
        } else {
            scale_scalar(s + at, from, to, scale, o);
        }
        (*env)->ReleasePrimitiveArrayCritical(env, out, o, 0);
    }
    if (s != NULL) {
        (*env)->ReleasePrimitiveArrayCritical(env, sums, s, JNI_ABORT);
    }
}
