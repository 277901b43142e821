package io.ringfold.serving.backend.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.ringfold.io.ModelFileException;
import io.ringfold.io.ModelLimits;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The walk of {@link OnnxModelFile} over an ONNX protobuf, without parsing it into objects: every tensor the
 * graph declares (initializers, sparse initializers, node attributes, in subgraphs, functions and training
 * graphs) is bounded by the file limit, and external data is checked and counted. Field numbers are those of
 * onnx/onnx.proto3.
 */
final class OnnxProtoScan {

    /** Deepest nesting of graphs (an If's branches, a Loop's body) scanned; a deeper one is refused. */
    static final int MAX_GRAPH_DEPTH = 32;
    /** ONNX's {@code TensorProto.DataLocation.EXTERNAL}. */
    private static final int EXTERNAL = 1;

    private final Path file;
    private final Path directory;
    private final ModelLimits limits;
    long externalBytes;
    int externalTensors;

    OnnxProtoScan(Path file, ModelLimits limits) {
        this.file = file;
        this.directory = file.toAbsolutePath().getParent();
        this.limits = limits;
    }

    /** ModelProto: graph = 7, training_info = 20, functions = 25. */
    void model(CodedInputStream in) throws IOException {
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                return;
            }
            switch (field(tag)) {
                case 7 -> nested(in, tag, () -> graph(in, 1));
                case 20 -> nested(in, tag, () -> trainingInfo(in));
                case 25 -> nested(in, tag, () -> function(in));
                default -> in.skipField(tag);
            }
        }
    }

    /** TrainingInfoProto: initialization = 1, algorithm = 2 (graphs). */
    private void trainingInfo(CodedInputStream in) throws IOException {
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                return;
            }
            if (field(tag) == 1 || field(tag) == 2) {
                nested(in, tag, () -> graph(in, 1));
            } else {
                in.skipField(tag);
            }
        }
    }

    /** FunctionProto: node = 7. */
    private void function(CodedInputStream in) throws IOException {
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                return;
            }
            if (field(tag) == 7) {
                nested(in, tag, () -> node(in, 1));
            } else {
                in.skipField(tag);
            }
        }
    }

    /** GraphProto: node = 1, initializer = 5, sparse_initializer = 15. */
    private void graph(CodedInputStream in, int depth) throws IOException {
        if (depth > MAX_GRAPH_DEPTH) {
            throw new ModelFileException(file, "graphs nested deeper than " + MAX_GRAPH_DEPTH
                    + " levels (expected: at most " + MAX_GRAPH_DEPTH + ")");
        }
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                return;
            }
            switch (field(tag)) {
                case 1 -> nested(in, tag, () -> node(in, depth));
                case 5 -> nested(in, tag, () -> tensor(in, "initializer"));
                case 15 -> nested(in, tag, () -> sparseTensor(in, "sparse initializer"));
                default -> in.skipField(tag);
            }
        }
    }

    /** NodeProto: attribute = 5. */
    private void node(CodedInputStream in, int depth) throws IOException {
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                return;
            }
            if (field(tag) == 5) {
                nested(in, tag, () -> attribute(in, depth));
            } else {
                in.skipField(tag);
            }
        }
    }

    /** AttributeProto: t = 5, g = 6, tensors = 10, graphs = 11, sparse_tensor = 22, sparse_tensors = 23. */
    private void attribute(CodedInputStream in, int depth) throws IOException {
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                return;
            }
            switch (field(tag)) {
                case 5, 10 -> nested(in, tag, () -> tensor(in, "attribute tensor"));
                case 6, 11 -> nested(in, tag, () -> graph(in, depth + 1));
                case 22, 23 -> nested(in, tag, () -> sparseTensor(in, "sparse attribute tensor"));
                default -> in.skipField(tag);
            }
        }
    }

    /**
     * SparseTensorProto: values = 1, indices = 2, dims = 3. ONNX Runtime makes a sparse initializer dense, so
     * its dense shape is bounded like a tensor's.
     */
    private void sparseTensor(CodedInputStream in, String kind) throws IOException {
        Tensor dense = new Tensor();
        String values = null;
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                break;
            }
            switch (field(tag)) {
                case 1 -> {
                    Tensor v = nestedTensor(in, tag, kind);
                    values = v.name;
                    dense.dataType = v.dataType;
                }
                case 2 -> nestedTensor(in, tag, kind);
                case 3 -> dims(in, tag, dense);
                default -> in.skipField(tag);
            }
        }
        dense.name = values;
        bounded(kind, dense);
    }

    private Tensor nestedTensor(CodedInputStream in, int tag, String kind) throws IOException {
        Tensor[] t = new Tensor[1];
        nested(in, tag, () -> t[0] = tensor(in, kind));
        return t[0];
    }

    /** TensorProto: dims = 1, data_type = 2, name = 8, external_data = 13, data_location = 14. */
    private Tensor tensor(CodedInputStream in, String kind) throws IOException {
        Tensor t = new Tensor();
        String location = null;
        long offset = 0;
        long length = -1;
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                break;
            }
            switch (field(tag)) {
                case 1 -> dims(in, tag, t);
                case 2 -> t.dataType = varint(in, tag, t.dataType);
                case 8 -> t.name = string(in, tag, t.name);
                case 13 -> {
                    String[] entry = new String[2];
                    nested(in, tag, () -> keyValue(in, entry));
                    switch (String.valueOf(entry[0])) {
                        case "location" -> location = entry[1];
                        case "offset" -> offset = number(t, "offset", entry[1]);
                        case "length" -> length = number(t, "length", entry[1]);
                        default -> {
                            // checksum and others: not sizes
                        }
                    }
                }
                case 14 -> t.external = varint(in, tag, t.external ? EXTERNAL : 0) == EXTERNAL;
                default -> in.skipField(tag);
            }
        }
        bounded(kind, t);
        if (t.external || location != null) {
            external(t, kind, location, offset, length);
        }
        return t;
    }

    private void dims(CodedInputStream in, int tag, Tensor t) throws IOException {
        int wire = WireFormat.getTagWireType(tag);
        if (wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            nested(in, tag, () -> {
                while (!in.isAtEnd()) {
                    t.dims.add(in.readInt64());
                }
            });
        } else if (wire == WireFormat.WIRETYPE_VARINT) {
            t.dims.add(in.readInt64());
        } else {
            in.skipField(tag);
        }
    }

    /**
     * The varint of {@code tag}, or {@code old} when the field has another wire type: protobuf's parser keeps such
     * a field as an unknown one, so the scan must skip it too rather than read it out of step.
     */
    private static int varint(CodedInputStream in, int tag, int old) throws IOException {
        if (WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_VARINT) {
            in.skipField(tag);
            return old;
        }
        return in.readInt32();
    }

    /** The string of {@code tag}, or {@code old} when the field has another wire type (as {@link #varint}). */
    private static String string(CodedInputStream in, int tag, String old) throws IOException {
        if (WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            in.skipField(tag);
            return old;
        }
        return in.readString();
    }

    /** StringStringEntryProto: key = 1, value = 2. */
    private static void keyValue(CodedInputStream in, String[] entry) throws IOException {
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                return;
            }
            switch (field(tag)) {
                case 1 -> entry[0] = string(in, tag, entry[0]);
                case 2 -> entry[1] = string(in, tag, entry[1]);
                default -> in.skipField(tag);
            }
        }
    }

    /** Refuses a tensor whose declared bytes exceed the file limit. */
    private void bounded(String kind, Tensor t) throws ModelFileException {
        long bytes = t.declaredBytes();
        long max = limits.maxFileBytes();
        if (bytes < 0 || bytes > max) {
            throw new ModelFileException(file, kind + " " + t.quotedName() + ": declared shape "
                    + t.dims + " of " + t.typeName() + " is " + (bytes < 0 ? "more than 2^63" : bytes)
                    + " bytes (expected: at most " + max + ", the limit on model file bytes)");
        }
    }

    /**
     * Refuses external data whose location leaves the version directory (absolute, {@code ..}, or a link
     * resolving outside it), and counts its bytes.
     */
    private void external(Tensor t, String kind, String location, long offset, long length) throws IOException {
        String where = kind + " " + t.quotedName() + ": external data";
        if (location == null || location.isEmpty()) {
            throw new ModelFileException(file, where + " without a location (expected: a file beside the model)");
        }
        Path relative;
        try {
            relative = directory.getFileSystem().getPath(location);
        } catch (java.nio.file.InvalidPathException e) {
            throw new ModelFileException(file, where + " in '" + location + "', not a path (expected: a file beside"
                    + " the model)");
        }
        Path target = directory.resolve(relative).normalize();
        if (relative.isAbsolute() || !target.startsWith(directory)) {
            throw new ModelFileException(file, where + " in '" + location + "', outside the model's directory"
                    + " (expected: a file in " + directory + ")");
        }
        if (!Files.isRegularFile(target)) {
            throw new ModelFileException(file, where + " in '" + location + "': no such file (expected: a file in "
                    + directory + ")");
        }
        if (!target.toRealPath().startsWith(directory.toRealPath())) {
            throw new ModelFileException(file, where + " in '" + location + "' resolves outside the model's"
                    + " directory (expected: links that stay inside it)");
        }
        long size = Files.size(target);
        long bytes = length >= 0 ? length : Math.max(0, size - offset);
        externalBytes = saturatedAdd(externalBytes, bytes);
        externalTensors++;
    }

    private long number(Tensor t, String key, String value) throws ModelFileException {
        try {
            long v = Long.parseLong(String.valueOf(value));
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ModelFileException(file, "tensor " + t.quotedName() + ": external data " + key + " '" + value
                + "' (expected: an integer >= 0)");
    }

    private static long saturatedAdd(long a, long b) {
        long s = a + b;
        return s < 0 ? Long.MAX_VALUE : s;
    }

    private static int field(int tag) {
        return WireFormat.getTagFieldNumber(tag);
    }

    /** Reads the length-delimited message of {@code tag} with {@code body}; other wire types are skipped. */
    private static void nested(CodedInputStream in, int tag, Body body) throws IOException {
        if (WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            in.skipField(tag);
            return;
        }
        int length = in.readRawVarint32();
        if (length < 0) {
            throw new InvalidProtocolBufferException("negative length " + length);
        }
        int old = in.pushLimit(length);
        body.read();
        in.skipRawBytes(in.getBytesUntilLimit());
        in.popLimit(old);
    }

    @FunctionalInterface
    private interface Body {
        void read() throws IOException;
    }

    /** What the scan keeps of a TensorProto. */
    private static final class Tensor {
        final List<Long> dims = new ArrayList<>();
        int dataType;
        String name;
        boolean external;

        String quotedName() {
            return name == null ? "(unnamed)" : "'" + name + "'";
        }

        /** The ONNX element type's name, as onnx.proto3's TensorProto.DataType spells it. */
        String typeName() {
            String[] names = {"UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64", "STRING", "BOOL",
                "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16"};
            return dataType >= 0 && dataType < names.length ? names[dataType] : "ONNX type " + dataType;
        }

        /** Declared bytes (a string element counted as one byte, its least); -1 past Long.MAX_VALUE. */
        long declaredBytes() {
            long n = elementBytes(dataType);
            for (long d : dims) {
                if (d < 0) {
                    return 0;
                }
                if (d != 0 && n > Long.MAX_VALUE / d) {
                    return -1;
                }
                n *= d;
            }
            return n;
        }

        /** Bytes per element of ONNX's TensorProto.DataType; 1 for strings and 4-bit types. */
        private static long elementBytes(int dataType) {
            return switch (dataType) {
                case 1, 6, 12 -> 4; // FLOAT, INT32, UINT32
                case 4, 5, 10, 16 -> 2; // UINT16, INT16, FLOAT16, BFLOAT16
                case 7, 11, 13, 14 -> 8; // INT64, DOUBLE, UINT64, COMPLEX64
                case 15 -> 16; // COMPLEX128
                default -> 1;
            };
        }
    }
}
