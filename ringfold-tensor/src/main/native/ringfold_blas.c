/*
 * JNI shim between io.ringfold.tensor.OpenBlasBindings and an OpenBLAS found at run time.
 *
 * OpenBLAS is dlopen()ed rather than linked so that the shim builds without OpenBLAS headers and the
 * JVM starts without OpenBLAS installed (the pure-Java BLAS is used then). Java arrays are passed with
 * GetPrimitiveArrayCritical: no copy, at the price of holding off the GC for the length of one call.
 * All shape and bounds checks are done in Java before a call reaches this file.
 */
#include <dlfcn.h>
#include <jni.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* CBLAS enum values (cblas.h); written out so no OpenBLAS header is needed to build. */
enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };

typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int, float,
                         float *, int);
typedef void (*sgemv_fn)(int, int, int, int, float, const float *, int, const float *, int, float, float *, int);
typedef void (*saxpy_fn)(int, float, const float *, int, float *, int);
typedef float (*sdot_fn)(int, const float *, int, const float *, int);
typedef void (*set_threads_fn)(int);
typedef char *(*string_fn)(void);

static sgemm_fn p_sgemm;
static sgemv_fn p_sgemv;
static saxpy_fn p_saxpy;
static sdot_fn p_sdot;
static set_threads_fn p_set_threads;
static string_fn p_get_config;
static string_fn p_get_corename;

static void *resolve(void *lib, const char *symbol, char *missing, size_t size) {
    void *p = dlsym(lib, symbol);
    if (p == NULL) {
        strncat(missing, " ", size - strlen(missing) - 1);
        strncat(missing, symbol, size - strlen(missing) - 1);
    }
    return p;
}

/*
 * Loads OpenBLAS from path. coreType, when not null and OPENBLAS_CORETYPE is not already set, is put
 * into the environment first: a DYNAMIC_ARCH OpenBLAS reads it while it loads. Returns null on
 * success, else a message naming what failed.
 */
JNIEXPORT jstring JNICALL Java_io_ringfold_tensor_OpenBlasBindings_open(JNIEnv *env, jclass cls, jstring path,
                                                                       jstring coreType) {
    (void) cls;
    if (coreType != NULL && getenv("OPENBLAS_CORETYPE") == NULL) {
        const char *core = (*env)->GetStringUTFChars(env, coreType, NULL);
        setenv("OPENBLAS_CORETYPE", core, 0);
        (*env)->ReleaseStringUTFChars(env, coreType, core);
    }
    const char *file = (*env)->GetStringUTFChars(env, path, NULL);
    void *lib = dlopen(file, RTLD_NOW | RTLD_LOCAL);
    (*env)->ReleaseStringUTFChars(env, path, file);
    if (lib == NULL) {
        const char *err = dlerror();
        return (*env)->NewStringUTF(env, err != NULL ? err : "dlopen failed");
    }
    char missing[512] = "";
    p_sgemm = (sgemm_fn) resolve(lib, "cblas_sgemm", missing, sizeof missing);
    p_sgemv = (sgemv_fn) resolve(lib, "cblas_sgemv", missing, sizeof missing);
    p_saxpy = (saxpy_fn) resolve(lib, "cblas_saxpy", missing, sizeof missing);
    p_sdot = (sdot_fn) resolve(lib, "cblas_sdot", missing, sizeof missing);
    p_set_threads = (set_threads_fn) resolve(lib, "openblas_set_num_threads", missing, sizeof missing);
    p_get_config = (string_fn) resolve(lib, "openblas_get_config", missing, sizeof missing);
    p_get_corename = (string_fn) resolve(lib, "openblas_get_corename", missing, sizeof missing);
    if (missing[0] != '\0') {
        char message[600];
        snprintf(message, sizeof message, "symbols not found:%s", missing);
        p_sgemm = NULL;
        return (*env)->NewStringUTF(env, message);
    }
    return NULL;
}

JNIEXPORT jstring JNICALL Java_io_ringfold_tensor_OpenBlasBindings_config(JNIEnv *env, jclass cls) {
    (void) cls;
    return (*env)->NewStringUTF(env, p_get_config());
}

JNIEXPORT jstring JNICALL Java_io_ringfold_tensor_OpenBlasBindings_coreName(JNIEnv *env, jclass cls) {
    (void) cls;
    return (*env)->NewStringUTF(env, p_get_corename());
}

JNIEXPORT void JNICALL Java_io_ringfold_tensor_OpenBlasBindings_setThreads(JNIEnv *env, jclass cls, jint n) {
    (void) env;
    (void) cls;
    p_set_threads(n);
}

JNIEXPORT void JNICALL Java_io_ringfold_tensor_OpenBlasBindings_sgemm(
        JNIEnv *env, jclass cls, jboolean transA, jboolean transB, jint m, jint n, jint k, jfloat alpha,
        jfloatArray a, jint aOff, jint lda, jfloatArray b, jint bOff, jint ldb, jfloat beta,
        jfloatArray c, jint cOff, jint ldc) {
    (void) cls;
    float *pa = (*env)->GetPrimitiveArrayCritical(env, a, NULL);
    float *pb = (*env)->GetPrimitiveArrayCritical(env, b, NULL);
    float *pc = (*env)->GetPrimitiveArrayCritical(env, c, NULL);
    if (pa != NULL && pb != NULL && pc != NULL) {
        p_sgemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, alpha,
                pa + aOff, lda, pb + bOff, ldb, beta, pc + cOff, ldc);
    }
    /* Released in reverse order; mode 0 on C copies back if the JVM had to copy. */
    if (pc != NULL) (*env)->ReleasePrimitiveArrayCritical(env, c, pc, 0);
    if (pb != NULL) (*env)->ReleasePrimitiveArrayCritical(env, b, pb, JNI_ABORT);
    if (pa != NULL) (*env)->ReleasePrimitiveArrayCritical(env, a, pa, JNI_ABORT);
}

JNIEXPORT void JNICALL Java_io_ringfold_tensor_OpenBlasBindings_sgemv(
        JNIEnv *env, jclass cls, jboolean transA, jint m, jint n, jfloat alpha, jfloatArray a, jint aOff,
        jint lda, jfloatArray x, jint xOff, jfloat beta, jfloatArray y, jint yOff) {
    (void) cls;
    float *pa = (*env)->GetPrimitiveArrayCritical(env, a, NULL);
    float *px = (*env)->GetPrimitiveArrayCritical(env, x, NULL);
    float *py = (*env)->GetPrimitiveArrayCritical(env, y, NULL);
    if (pa != NULL && px != NULL && py != NULL) {
        p_sgemv(ROW_MAJOR, transA ? TRANS : NO_TRANS, m, n, alpha, pa + aOff, lda, px + xOff, 1, beta,
                py + yOff, 1);
    }
    if (py != NULL) (*env)->ReleasePrimitiveArrayCritical(env, y, py, 0);
    if (px != NULL) (*env)->ReleasePrimitiveArrayCritical(env, x, px, JNI_ABORT);
    if (pa != NULL) (*env)->ReleasePrimitiveArrayCritical(env, a, pa, JNI_ABORT);
}

JNIEXPORT void JNICALL Java_io_ringfold_tensor_OpenBlasBindings_saxpy(
        JNIEnv *env, jclass cls, jint n, jfloat alpha, jfloatArray x, jint xOff, jfloatArray y, jint yOff) {
    (void) cls;
    float *px = (*env)->GetPrimitiveArrayCritical(env, x, NULL);
    float *py = (*env)->GetPrimitiveArrayCritical(env, y, NULL);
    if (px != NULL && py != NULL) {
        p_saxpy(n, alpha, px + xOff, 1, py + yOff, 1);
    }
    if (py != NULL) (*env)->ReleasePrimitiveArrayCritical(env, y, py, 0);
    if (px != NULL) (*env)->ReleasePrimitiveArrayCritical(env, x, px, JNI_ABORT);
}

JNIEXPORT jfloat JNICALL Java_io_ringfold_tensor_OpenBlasBindings_sdot(
        JNIEnv *env, jclass cls, jint n, jfloatArray x, jint xOff, jfloatArray y, jint yOff) {
    (void) cls;
    float result = 0.0f;
    float *px = (*env)->GetPrimitiveArrayCritical(env, x, NULL);
    float *py = (*env)->GetPrimitiveArrayCritical(env, y, NULL);
    if (px != NULL && py != NULL) {
        result = p_sdot(n, px + xOff, 1, py + yOff, 1);
    }
    if (py != NULL) (*env)->ReleasePrimitiveArrayCritical(env, y, py, JNI_ABORT);
    if (px != NULL) (*env)->ReleasePrimitiveArrayCritical(env, x, px, JNI_ABORT);
    return result;
}
