#!/usr/bin/env python3
"""An independent client of the gRPC port's health and reflection services.

Python's gRPC (the C core, Debian's python3-grpcio) with stubs generated here by Debian's
python3-grpc-tools from the official health.proto and reflection.proto (which grpc-services ships; the
Java test copies them out of that jar into PROTO_DIR as health.proto and reflection.proto). Prints one JSON object per line, for
GrpcPythonClientTest to check:

  {"check": SERVICE, "status": NAME}          Health/Check ("code" instead of "status" on an error)
  {"watch": SERVICE, "first": NAME}           the first status a Watch stream sends
  {"services": [NAME, ...]}                   ServerReflection list_services (v1)
  {"file": NAME, "package": P, "methods": [M, ...]}   file_containing_symbol inference.GRPCInferenceService

Usage: grpc_health_reflection_client.py HOST:PORT PROTO_DIR OUT_DIR
"""
import json
import subprocess
import sys

TIMEOUT = 20


def generate(proto_dir, out_dir):
    # Flat names: generated as grpc/health/v1/health_pb2.py, the modules would hide behind the installed grpc package.
    protos = ["health.proto", "reflection.proto"]
    subprocess.run([sys.executable, "-m", "grpc_tools.protoc", "-I", proto_dir, "--python_out", out_dir,
                    "--grpc_python_out", out_dir] + protos, check=True)
    sys.path.insert(0, out_dir)


def main(target, proto_dir, out_dir):
    generate(proto_dir, out_dir)
    import grpc
    from google.protobuf import descriptor_pb2
    import health_pb2  # generated into out_dir
    import health_pb2_grpc
    import reflection_pb2
    import reflection_pb2_grpc

    with grpc.insecure_channel(target) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        for service in ["", "inference.GRPCInferenceService", "liveness", "iris"]:
            try:
                r = health.Check(health_pb2.HealthCheckRequest(service=service), timeout=TIMEOUT)
                print(json.dumps({"check": service, "status": health_pb2.HealthCheckResponse.ServingStatus.Name(r.status)}))
            except grpc.RpcError as e:
                print(json.dumps({"check": service, "code": e.code().name}))
        stream = health.Watch(health_pb2.HealthCheckRequest(service=""), timeout=TIMEOUT)
        first = next(stream)
        stream.cancel()
        print(json.dumps({"watch": "", "first": health_pb2.HealthCheckResponse.ServingStatus.Name(first.status)}))

        reflection = reflection_pb2_grpc.ServerReflectionStub(channel)
        answers = reflection.ServerReflectionInfo(iter([
            reflection_pb2.ServerReflectionRequest(list_services=""),
            reflection_pb2.ServerReflectionRequest(file_containing_symbol="inference.GRPCInferenceService"),
        ]), timeout=TIMEOUT)
        listed, found = list(answers)
        print(json.dumps({"services": sorted(s.name for s in listed.list_services_response.service)}))
        f = descriptor_pb2.FileDescriptorProto.FromString(found.file_descriptor_response.file_descriptor_proto[0])
        service = next(s for s in f.service if s.name == "GRPCInferenceService")
        print(json.dumps({"file": f.name, "package": f.package, "methods": [m.name for m in service.method]}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
