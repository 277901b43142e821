#!/bin/sh
# Compiles the JNI shim (run by exec-maven-plugin during the build): the OpenBLAS bindings, the
# fixed-point kernel and the streaming-store copy, in one shared library.
# Usage: build-shim.sh <output.so> <java.home> <source.c>...
# Without gcc, or off Linux x86-64, it prints a note and succeeds: the pure-Java code paths remain.
set -eu
out=$1
java_home=$2
shift 2

if [ "$(uname -s)" != Linux ] || [ "$(uname -m)" != x86_64 ]; then
    echo "ringfold-tensor: native BLAS shim not built: only linux-x86_64 is supported here ($(uname -s)-$(uname -m)); the pure-Java paths will be used."
    exit 0
fi
if ! command -v gcc >/dev/null 2>&1; then
    echo "ringfold-tensor: native BLAS shim not built: gcc not found on PATH; the pure-Java paths will be used."
    exit 0
fi
if [ ! -f "$java_home/include/jni.h" ] && [ -n "${JAVA_HOME:-}" ]; then
    java_home=$JAVA_HOME
fi
if [ ! -f "$java_home/include/jni.h" ]; then
    echo "ringfold-tensor: native BLAS shim not built: jni.h not found under $java_home/include (set JAVA_HOME to a JDK); the pure-Java paths will be used."
    exit 0
fi
mkdir -p "$(dirname "$out")"
gcc -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -shared -fPIC \
    -I"$java_home/include" -I"$java_home/include/linux" \
    -o "$out" "$@" -ldl
echo "ringfold-tensor: built $out"
