#!/usr/bin/env python3
"""Writes ringfold-core/src/test/resources/io/ringfold/io/golden-v1.rfm from docs/model-format.md.

An independent writer (Python's struct + hashlib, not the Java code) so that ModelFileGoldenTest checks
the Java reader against the specification, not against itself. The file was generated ONCE and is
committed; it must never be regenerated: it stands for every version-1 file already on disk. The
script refuses to overwrite it. It prints the parameter digest that the test expects.
"""
import hashlib
import json
import os
import struct
import sys

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "io", "ringfold", "io", "golden-v1.rfm")

HEADER = {
    "format": "ringfold-model",
    "model": "mlp",
    "hyperparameters": {"hidden": 3, "epochs": 2, "seed": 1},
    "ringfold": "0.1.0-SNAPSHOT",
    "note": "golden file for format version 1 \u2014 never regenerate",
}

# (name, shape, float32 bit patterns): edge cases a float encoder can get wrong.
TENSORS = [
    ("layer0.weight", [2, 3], [0x3F800000,   # 1.0
                               0x80000000,   # -0.0
                               0x00000001,   # smallest subnormal
                               0x7F7FFFFF,   # Float.MAX_VALUE
                               0xC0200000,   # -2.5
                               0x3DCCCCCD]), # 0.1f
    ("layer0.bias", [3], [0x7FC00123,        # quiet NaN with a payload
                          0xFF800000,        # -infinity
                          0x807FFFFF]),      # largest negative subnormal
    ("step", [], [0x42280000]),              # rank 0 scalar, 42.0
    ("empty", [0, 4], []),                   # no elements
    ("\u00fcn\u00efcode.\u540d\u524d", [1, 1, 2], [0x7F800000,   # +infinity
                                                     0x00800000]),  # smallest normal

]

def u32(v):
    return struct.pack("<I", v)

def tensor_section():
    out = bytearray(u32(len(TENSORS)))
    for name, shape, bits in TENSORS:
        n = 1
        for d in shape:
            n *= d
        assert n == len(bits), name
        raw = name.encode("utf-8")
        out += u32(len(raw)) + raw + u32(len(shape))
        for d in shape:
            out += u32(d)
        for b in bits:
            out += u32(b)  # the float's bits, little-endian: the same four bytes as float32 LE
    return bytes(out)

def main():
    if os.path.exists(OUT):
        sys.exit(OUT + " exists; the golden file must never be regenerated")
    header = json.dumps(HEADER, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    tensors = tensor_section()
    body = b"RINGFOLD" + u32(1) + u32(len(header)) + header + tensors
    with open(OUT, "wb") as f:
        f.write(body + hashlib.sha256(body).digest())
    print("bytes", len(body) + 32)
    print("tensor section offset", len(body) - len(tensors))
    print("parameter digest", hashlib.sha256(tensors).hexdigest())
    print("file sha256", hashlib.sha256(body + hashlib.sha256(body).digest()).hexdigest())

if __name__ == "__main__":
    main()
