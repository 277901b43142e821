/*
 * JNI side of io.ringfold.tensor.StreamingStore: a float array's range copied into a direct buffer with
 * streaming stores (streaming_store.h says why).
 */
#include <jni.h>

#include "streaming_store.h"

/* Arguments are checked in Java: [from, from + length) within src, [index, index + length) within dst. */
JNIEXPORT void JNICALL Java_io_ringfold_tensor_StreamingStore_copyNative(
        JNIEnv *env, jclass cls, jfloatArray src, jint from, jobject dst, jint index, jint length) {
    (void) cls;
    float *d = (*env)->GetDirectBufferAddress(env, dst);
    if (d == NULL || length == 0) {
        return;
    }
    float *s = (*env)->GetPrimitiveArrayCritical(env, src, NULL);
    if (s == NULL) {
        return;
    }
    if (__builtin_cpu_supports("avx2")) {
        stream_store(d + index, s + from, (size_t) length * sizeof(float));
        stream_fence();
    } else {
        memcpy(d + index, s + from, (size_t) length * sizeof(float));
    }
    (*env)->ReleasePrimitiveArrayCritical(env, src, s, JNI_ABORT);
}
