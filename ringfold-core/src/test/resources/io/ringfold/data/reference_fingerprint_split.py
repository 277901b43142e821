#!/usr/bin/env python3
"""Independent references for DatasetTest: written from the documented byte layout and algorithm
(DatasetFingerprint and SplitMix64 Javadoc), not from the Java code. Run: python3 reference_fingerprint_split.py"""
import hashlib
import struct

M64 = (1 << 64) - 1


def f32(v):
    v = 0.0 if v == 0 else v
    return struct.pack('<f', v)


def fingerprint_dense(rows, labels, documents=None):
    h = hashlib.sha256()
    h.update(b'ringfold-dataset-v1')
    h.update(bytes([0]))
    h.update(struct.pack('<ii', len(rows), len(rows[0])))
    for row in rows:
        for v in row:
            h.update(f32(v))
    for y in labels:
        h.update(f32(y))
    for d in documents or []:
        b = d.encode('utf-8')
        h.update(struct.pack('<i', len(b)))
        h.update(b)
    return h.hexdigest()


def fingerprint_sparse(rows, labels):
    h = hashlib.sha256()
    h.update(b'ringfold-dataset-v1')
    h.update(bytes([1]))
    h.update(struct.pack('<ii', len(rows), len(rows[0])))
    for row in rows:
        for c, v in enumerate(row):
            if v != 0:
                h.update(struct.pack('<i', c))
                h.update(f32(v))
        h.update(struct.pack('<i', -1))
    for y in labels:
        h.update(f32(y))
    return h.hexdigest()


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & M64

    def next_long(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & M64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        return z ^ (z >> 31)

    def next_int(self, bound):
        while True:
            bits = self.next_long() >> 1
            value = bits % bound
            if bits - value + (bound - 1) < (1 << 63):  # Java: no signed overflow
                return value


def held_out(n, fraction, seed):
    rnd = SplitMix64(seed)
    p = list(range(n))
    for i in range(n - 1, 0, -1):
        j = rnd.next_int(i + 1)
        p[i], p[j] = p[j], p[i]
    return sorted(p[:round(fraction * n)])


rows = [[1.0, 0.0, -2.5], [0.1, 3.0, 0.0]]
labels = [0.0, 1.0]
print('dense ', fingerprint_dense(rows, labels))
print('sparse', fingerprint_sparse(rows, labels))
# A text column (its matrix cells are 0) with a non-ASCII document.
print('text  ', fingerprint_dense([[1.0, 0.0], [2.0, 0.0]], [0.0, 1.0], ['Héllo,\r\nworld', '']))
print('split n=10 f=0.3 seed=42 ->', held_out(10, 0.3, 42))
print('split n=20 f=0.25 seed=-7 ->', held_out(20, 0.25, -7))
