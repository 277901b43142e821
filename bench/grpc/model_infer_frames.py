# Hand-encoded gRPC frames of one single-row ModelInferRequest (KServe grpc_predict_v2.proto) for h2load:
# typed.bin (FP32 in contents.fp32_contents) and raw.bin (raw_input_contents). Usage: model_infer_frames.py DIR
import struct, sys
def varint(n):
    out = b""
    while True:
        b = n & 0x7f; n >>= 7
        if n: out += bytes([b | 0x80])
        else: return out + bytes([b])
def field(num, wt, payload):
    key = varint(num << 3 | wt)
    return key + (varint(len(payload)) + payload if wt == 2 else payload)
def s(num, text): return field(num, 2, text.encode())
width = 64
shape = field(3, 2, varint(1) + varint(width))
fp32 = struct.pack("<%df" % width, *([1.0] * width))
def request(raw):
    tensor = s(1, "input") + s(2, "FP32") + shape
    if not raw:
        tensor += field(5, 2, field(6, 2, fp32))
    msg = s(1, "digits") + field(5, 2, tensor)
    if raw:
        msg += field(7, 2, fp32)
    return b"\x00" + struct.pack(">I", len(msg)) + msg
open(sys.argv[1] + "/typed.bin", "wb").write(request(False))
open(sys.argv[1] + "/raw.bin", "wb").write(request(True))
