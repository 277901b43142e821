#!/usr/bin/env python3
"""An independent gRPC client of a running Ringfold server, generated from the official protos at run time.

Generates Python stubs into a temporary directory from the vendored protos (KServe's grpc_predict_v2.proto and
TensorFlow Serving's tensorflow_serving/apis/*.proto with the TensorFlow files they import), then calls the
server and prints one JSON object with what it answered:

  v2 (inference.GRPCInferenceService): ServerLive, ModelMetadata, ModelInfer with typed contents and with
  raw_input_contents;
  TensorFlow Serving (tensorflow.serving.PredictionService): Predict (float_val) and GetModelMetadata.

Floats are printed as the hex of their little-endian float32 bytes, so the caller compares bits, not decimals.

Toolchain, all Debian 12 packages: protoc from protobuf-compiler (3.21.12) with grpc_python_plugin from
protobuf-compiler-grpc (1.51.1), running on python3-protobuf 3.21.12 and python3-grpcio 1.51.1; the
well-known types (google/protobuf/any.proto, wrappers.proto) are read from python3-grpc-tools' bundled
copies. grpc_tools' own protoc (libprotoc 3.5.1 in python3-grpc-tools 1.14) cannot be used: it refuses
TensorFlow Serving's proto3 `optional` fields.

Usage: grpc_clients.py --target 127.0.0.1:PORT --protos ringfold-serving/src/main/proto --model iris
       [--rows '[[1,0],[0,2]]']
Exit status 0 with the JSON on stdout, or non-zero with the reason on stderr.
"""

import argparse
import glob
import importlib
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

DEADLINE_SECONDS = 20


def well_known_includes():
    """Directories holding google/protobuf/*.proto for protoc's imports."""
    candidates = ["/usr/include"]
    try:
        import grpc_tools
        candidates.insert(0, os.path.join(os.path.dirname(grpc_tools.__file__), "_proto"))
    except ImportError:
        pass
    found = [d for d in candidates if os.path.isfile(os.path.join(d, "google", "protobuf", "any.proto"))]
    if not found:
        sys.exit("grpc_clients.py: google/protobuf/any.proto not found in " + str(candidates)
                 + " (expected: python3-grpc-tools or libprotobuf-dev installed)")
    return found[:1]


def generate(protos, out):
    """Python messages and gRPC stubs for every vendored proto, into out."""
    for tool in ("protoc", "grpc_python_plugin"):
        if shutil.which(tool) is None:
            sys.exit("grpc_clients.py: " + tool + " not on the PATH (expected: Debian packages protobuf-compiler "
                     "and protobuf-compiler-grpc)")
    files = ["grpc_predict_v2.proto"]
    for tree in ("tensorflow", "tensorflow_serving"):
        files += sorted(os.path.relpath(p, protos) for p in glob.glob(os.path.join(protos, tree, "**", "*.proto"),
                                                                     recursive=True))
    command = ["protoc", "-I" + protos] + ["-I" + d for d in well_known_includes()] + [
        "--python_out=" + out, "--grpc_out=" + out, "--plugin=protoc-gen-grpc=" + shutil.which("grpc_python_plugin")
    ] + files
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        sys.exit("grpc_clients.py: protoc failed (exit " + str(done.returncode) + "): " + done.stderr)
    # Regular packages, so that the stubs win over any installed TensorFlow's namespace of the same name.
    for directory, _, _ in os.walk(out):
        open(os.path.join(directory, "__init__.py"), "a").close()


def f32_hex(values):
    return struct.pack("<%df" % len(values), *values).hex()


def v2_calls(grpc, target, model, rows):
    pb = importlib.import_module("grpc_predict_v2_pb2")
    stubs = importlib.import_module("grpc_predict_v2_pb2_grpc")
    with grpc.insecure_channel(target) as channel:
        stub = stubs.GRPCInferenceServiceStub(channel)
        live = stub.ServerLive(pb.ServerLiveRequest(), timeout=DEADLINE_SECONDS)
        meta = stub.ModelMetadata(pb.ModelMetadataRequest(name=model), timeout=DEADLINE_SECONDS)
        flat = [v for r in rows for v in r]
        shape = [len(rows), len(rows[0])]
        typed = pb.ModelInferRequest(model_name=model, id="python-typed")
        t = typed.inputs.add(name="input", datatype="FP32", shape=shape)
        t.contents.fp32_contents.extend(flat)
        typed_reply = stub.ModelInfer(typed, timeout=DEADLINE_SECONDS)
        raw = pb.ModelInferRequest(model_name=model, id="python-raw")
        raw.inputs.add(name="input", datatype="FP32", shape=shape)
        raw.raw_input_contents.append(struct.pack("<%df" % len(flat), *flat))
        raw_reply = stub.ModelInfer(raw, timeout=DEADLINE_SECONDS)

    def typed_output(o):
        c = o.contents
        data = f32_hex(c.fp32_contents) if o.datatype == "FP32" else [b.decode("utf-8") for b in c.bytes_contents]
        return {"name": o.name, "datatype": o.datatype, "shape": list(o.shape), "data": data}

    return {
        "server_live": live.live,
        "model_metadata": {
            "name": meta.name, "versions": list(meta.versions), "platform": meta.platform,
            "inputs": [{"name": i.name, "datatype": i.datatype, "shape": list(i.shape)} for i in meta.inputs],
            "outputs": [{"name": o.name, "datatype": o.datatype, "shape": list(o.shape)} for o in meta.outputs],
        },
        "infer_typed": {"id": typed_reply.id, "model_version": typed_reply.model_version,
                        "outputs": [typed_output(o) for o in typed_reply.outputs]},
        "infer_raw": {"id": raw_reply.id, "outputs": [{"name": o.name, "datatype": o.datatype, "shape": list(o.shape)}
                                                      for o in raw_reply.outputs],
                      "raw_output_contents": [r.hex() for r in raw_reply.raw_output_contents]},
    }


def tf_calls(grpc, target, model, rows):
    predict_pb2 = importlib.import_module("tensorflow_serving.apis.predict_pb2")
    metadata_pb2 = importlib.import_module("tensorflow_serving.apis.get_model_metadata_pb2")
    service = importlib.import_module("tensorflow_serving.apis.prediction_service_pb2_grpc")
    types_pb2 = importlib.import_module("tensorflow.core.framework.types_pb2")
    with grpc.insecure_channel(target) as channel:
        stub = service.PredictionServiceStub(channel)
        request = predict_pb2.PredictRequest()
        request.model_spec.name = model
        request.model_spec.signature_name = "serving_default"
        tensor = request.inputs["input"]
        tensor.dtype = types_pb2.DT_FLOAT
        for d in (len(rows), len(rows[0])):
            tensor.tensor_shape.dim.add(size=d)
        tensor.float_val.extend(v for r in rows for v in r)
        reply = stub.Predict(request, timeout=DEADLINE_SECONDS)
        meta_request = metadata_pb2.GetModelMetadataRequest(metadata_field=["signature_def"])
        meta_request.model_spec.name = model
        meta = stub.GetModelMetadata(meta_request, timeout=DEADLINE_SECONDS)

    outputs = {}
    for name, t in sorted(reply.outputs.items()):
        outputs[name] = {"dtype": types_pb2.DataType.Name(t.dtype), "shape": [d.size for d in t.tensor_shape.dim],
                         "tensor_content": t.tensor_content.hex(),
                         "string_val": [s.decode("utf-8") for s in t.string_val]}
    signatures = metadata_pb2.SignatureDefMap()
    if not meta.metadata["signature_def"].Unpack(signatures):
        sys.exit("grpc_clients.py: metadata['signature_def'] is " + meta.metadata["signature_def"].type_url
                 + " (expected: a tensorflow.serving.SignatureDefMap)")
    sig = signatures.signature_def["serving_default"]

    def info(m):
        return {k: {"name": v.name, "dtype": types_pb2.DataType.Name(v.dtype),
                    "shape": [d.size for d in v.tensor_shape.dim]} for k, v in sorted(m.items())}

    return {
        "tf_predict": {"model_spec": {"name": reply.model_spec.name, "version": reply.model_spec.version.value,
                                      "signature_name": reply.model_spec.signature_name},
                       "outputs": outputs},
        "tf_metadata": {"model_spec": {"name": meta.model_spec.name, "version": meta.model_spec.version.value},
                        "method_name": sig.method_name, "inputs": info(sig.inputs), "outputs": info(sig.outputs)},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", required=True, help="the gRPC port, host:port")
    parser.add_argument("--protos", required=True, help="ringfold-serving/src/main/proto")
    parser.add_argument("--model", required=True)
    parser.add_argument("--rows", default="[[1, 0], [0, 2], [0.25, -1.5]]", help="the input rows, as JSON")
    args = parser.parse_args()
    rows = json.loads(args.rows)
    import grpc  # python3-grpcio; imported here so that a missing package is reported by name below

    out = tempfile.mkdtemp(prefix="ringfold-grpc-stubs-")
    try:
        generate(os.path.abspath(args.protos), out)
        sys.path.insert(0, out)
        result = {"versions": {"grpcio": grpc.__version__,
                               "protobuf": importlib.import_module("google.protobuf").__version__}}
        result.update(v2_calls(grpc, args.target, args.model, rows))
        result.update(tf_calls(grpc, args.target, args.model, rows))
        print(json.dumps(result, indent=1, sort_keys=True))
    finally:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
