"""Writes the ONNX test fixtures of ringfold-serving's ONNX backend, and the outputs PyTorch computes for them.

Run from the repository root with Debian's PyTorch and ONNX (apt-get install python3-torch python3-onnx):

    /usr/bin/python3 ringfold-serving/src/test/python/make_onnx_fixtures.py

It writes, into ringfold-serving/src/test/resources/onnx/:

- mlp.onnx        'features' FP32 [N, 4] -> 'scores' FP32 [N, 3] (Linear, tanh, Linear)
- cnn.onnx        'image' FP32 [N, 1, 8, 8] -> 'logits' FP32 [N, 2] (Conv, ReLU, MaxPool, Linear)
- two_io.onnx     'a' FP32 [N, 3], 'b' FP32 [N, 2] -> 'mixed' FP32 [N, 2], 'scaled' FP32 [N, 3]
- embedding.onnx  'tokens' INT64 [N, L] -> 'embedding' FP32 [N, 6] (mean of the token embeddings)
- fixed.onnx      the MLP exported without dynamic axes: 'features' FP32 [2, 4] -> 'scores' FP32 [2, 3]
- batch_sum.onnx  'x' FP32 [N, 4] -> 'total' FP32 [4] (a sum over the batch: no output row per input row)
- types.onnx      Identity of FP64, INT32, INT8, UINT8, INT16, FP16, BOOL and STRING [N, 2] tensors (built with
                  onnx.helper: PyTorch exports no string tensors)
- external_outside.onnx  an initializer whose external data file is '../outside.bin', outside the model's
                  directory: a hostile file the loader must refuse (ONNX Runtime 1.20 itself reads it)
- external_inside.onnx, external_inside.bin  'x' FP32 [N, 4] + [1, 2, 3, 4] read from the external data file
- fails_on_one.onnx  'x' FP32 [N, 4] reshaped to [2, 4]: fails on the warm-up's single row
- external_in_subgraph.onnx  the same hostile location, in a Constant of an If's branch
- huge_sparse.onnx  a sparse initializer of one value whose dense shape is [1048576, 1048576] FP32 (4 TiB)
- huge_initializer.onnx  an initializer declared [32768, 32768] FP32 (4 GiB) holding 16 bytes: hostile too
- expected.json   for each model but the last: fixed inputs and the outputs PyTorch computed for them

Every weight and input comes from generators seeded here, so a rerun writes the same values (the .onnx bytes
may differ between exporter versions). N (and L) are dynamic: symbolic dimensions in the graph.
"""

import json
import os

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "onnx")
SEED = 20261207
OPSET = 13


class Mlp(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = torch.nn.Linear(4, 8)
        self.out = torch.nn.Linear(8, 3)

    def forward(self, features):
        return self.out(torch.tanh(self.hidden(features)))


class Cnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 4, 3, padding=1)
        self.pool = torch.nn.MaxPool2d(2)
        self.out = torch.nn.Linear(4 * 4 * 4, 2)

    def forward(self, image):
        h = self.pool(torch.relu(self.conv(image)))
        return self.out(torch.flatten(h, 1))


class TwoInTwoOut(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.mix = torch.nn.Linear(5, 2)

    def forward(self, a, b):
        mixed = self.mix(torch.cat([a, b], dim=1))
        scaled = a * b.sum(dim=1, keepdim=True)
        return mixed, scaled


class Embedding(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.table = torch.nn.Embedding(20, 6)

    def forward(self, tokens):
        return self.table(tokens).mean(dim=1)


class BatchSum(torch.nn.Module):
    def forward(self, x):
        return x.sum(dim=0)


def export(model, name, args, inputs, outputs, dynamic):
    path = os.path.join(OUT, name + ".onnx")
    torch.onnx.export(model, args, path, input_names=inputs, output_names=outputs, dynamic_axes=dynamic,
                      opset_version=OPSET, do_constant_folding=True)
    # The exporter names the graph after PyTorch's; a name and a docstring of our own show the metadata path.
    m = onnx.load(path)
    m.graph.name = name
    m.doc_string = "ringfold-serving test fixture '" + name + "'"
    m.model_version = 3
    m.domain = "io.ringfold.test"
    onnx.checker.check_model(m)
    onnx.save(m, path)


def tensor_json(name, datatype, array):
    values = array.flatten().tolist()
    return {"name": name, "datatype": datatype, "shape": list(array.shape), "data": values}


def run(model, name, input_specs, output_names, dynamic_inputs=True, dynamic_outputs=True, seq_dim=None):
    """Exports `model`, computes it on the fixed inputs and returns its expected.json entry."""
    dynamic = {}
    if dynamic_inputs:
        for n, _, _ in input_specs:
            dynamic[n] = {0: "batch"}
            if n == seq_dim:
                dynamic[n][1] = "sequence"
    if dynamic_outputs:
        for n in output_names:
            dynamic[n] = {0: "batch"}
    args = tuple(torch.from_numpy(a) for _, _, a in input_specs)
    export(model, name, args, [n for n, _, _ in input_specs], output_names, dynamic)
    with torch.no_grad():
        out = model(*args)
    if isinstance(out, torch.Tensor):
        out = (out,)
    return {
        "inputs": [tensor_json(n, t, a) for n, t, a in input_specs],
        "outputs": [tensor_json(n, "FP32", o.numpy()) for n, o in zip(output_names, out)],
    }


def save(graph, name, check=True):
    """Saves a graph built with onnx.helper as name.onnx; hostile ones are not checked (the checker refuses them)."""
    m = helper.make_model(graph, producer_name="make_onnx_fixtures.py", opset_imports=[helper.make_opsetid("", OPSET)])
    m.ir_version = 8
    if check:
        onnx.checker.check_model(m)
    onnx.save(m, os.path.join(OUT, name + ".onnx"))


def types_model():
    kinds = [("fp64", TensorProto.DOUBLE), ("int32", TensorProto.INT32), ("int8", TensorProto.INT8),
             ("uint8", TensorProto.UINT8), ("int16", TensorProto.INT16), ("fp16", TensorProto.FLOAT16),
             ("bool", TensorProto.BOOL), ("text", TensorProto.STRING)]
    inputs = [helper.make_tensor_value_info(k + "_in", t, ["batch", 2]) for k, t in kinds]
    outputs = [helper.make_tensor_value_info(k + "_out", t, ["batch", 2]) for k, t in kinds]
    nodes = [helper.make_node("Identity", [k + "_in"], [k + "_out"]) for k, _ in kinds]
    save(helper.make_graph(nodes, "types", inputs, outputs), "types")


def add_model(name, w):
    """y = x + w, x of shape [N, w's width]."""
    width = w.dims[-1]
    graph = helper.make_graph([helper.make_node("Add", ["x", "w"], ["y"])], name,
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", width])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", width])], initializer=[w])
    save(graph, name, check=False)


def external_weights(location):
    """A [4] float initializer 'w' whose 16 bytes are to be read from the file `location`."""
    w = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[4])
    w.data_location = TensorProto.EXTERNAL
    for k, v in (("location", location), ("offset", "0"), ("length", "16")):
        entry = w.external_data.add()
        entry.key = k
        entry.value = v
    return w


def external_outside_model():
    """y = x + w, where w's bytes are to be read from '../outside.bin': outside the version directory."""
    add_model("external_outside", external_weights("../outside.bin"))


def external_inside_model():
    """y = x + w, w = [1, 2, 3, 4] read from 'external_inside.bin' beside the model: external data done right."""
    add_model("external_inside", external_weights("external_inside.bin"))
    np.array([1, 2, 3, 4], dtype="<f4").tofile(os.path.join(OUT, "external_inside.bin"))


def huge_initializer_model():
    """y = x + w, w declared [32768, 32768] FP32 (4 GiB) with 16 bytes of data: a hostile file the loader must refuse."""
    add_model("huge_initializer", TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[1 << 15, 1 << 15],
                                              raw_data=bytes(16)))


def external_in_subgraph_model():
    """An If whose then-branch holds a Constant with external data in '../outside.bin': hostile, one graph down."""
    c = external_weights("../outside.bin")
    c.name = "c"
    then_branch = helper.make_graph([helper.make_node("Constant", [], ["t"], value=c)], "then", [],
                                    [helper.make_tensor_value_info("t", TensorProto.FLOAT, [4])])
    else_branch = helper.make_graph([helper.make_node("Constant", [], ["e"], value=helper.make_tensor(
        "z", TensorProto.FLOAT, [4], [0, 0, 0, 0]))], "else", [], [helper.make_tensor_value_info("e", TensorProto.FLOAT, [4])])
    graph = helper.make_graph([helper.make_node("If", ["cond"], ["y"], then_branch=then_branch, else_branch=else_branch)],
                              "external_in_subgraph", [helper.make_tensor_value_info("cond", TensorProto.BOOL, [])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])])
    save(graph, "external_in_subgraph", check=False)


def huge_sparse_model():
    """A sparse initializer of one value in a dense [1048576, 1048576] FP32 shape (4 TiB once made dense): hostile."""
    values = helper.make_tensor("w", TensorProto.FLOAT, [1], [1.0])
    indices = helper.make_tensor("w_indices", TensorProto.INT64, [1], [0])
    sparse = helper.make_sparse_tensor(values, indices, [1 << 20, 1 << 20])
    graph = helper.make_graph([helper.make_node("Identity", ["w"], ["y"])], "huge_sparse", [],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1 << 20, 1 << 20])])
    graph.sparse_initializer.append(sparse)
    save(graph, "huge_sparse", check=False)


def fails_on_one_model():
    """'x' [N, 4] reshaped to [2, 4]: loads, computes for N = 2, fails for the warm-up's N = 1."""
    shape = helper.make_tensor("shape", TensorProto.INT64, [2], [2, 4])
    graph = helper.make_graph([helper.make_node("Reshape", ["x", "shape"], ["y"])], "fails_on_one",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 4])], initializer=[shape])
    save(graph, "fails_on_one")


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)

    def floats(*shape):
        return rng.standard_normal(shape).astype(np.float32)

    expected = {}
    mlp = Mlp().eval()
    expected["mlp"] = run(mlp, "mlp", [("features", "FP32", floats(5, 4))], ["scores"])
    expected["cnn"] = run(Cnn().eval(), "cnn", [("image", "FP32", floats(3, 1, 8, 8))], ["logits"])
    expected["two_io"] = run(TwoInTwoOut().eval(), "two_io",
                             [("a", "FP32", floats(4, 3)), ("b", "FP32", floats(4, 2))], ["mixed", "scaled"])
    tokens = rng.integers(0, 20, size=(3, 5), dtype=np.int64)
    expected["embedding"] = run(Embedding().eval(), "embedding", [("tokens", "INT64", tokens)], ["embedding"],
                                seq_dim="tokens")
    expected["fixed"] = run(mlp, "fixed", [("features", "FP32", floats(2, 4))], ["scores"], False, False)
    expected["batch_sum"] = run(BatchSum().eval(), "batch_sum", [("x", "FP32", floats(3, 4))], ["total"],
                                dynamic_outputs=False)
    types_model()
    external_outside_model()
    huge_initializer_model()
    external_inside_model()
    fails_on_one_model()
    external_in_subgraph_model()
    huge_sparse_model()
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump({"seed": SEED, "torch": torch.__version__, "models": expected}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
