package io.ringfold.federated.wire;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One protocol message: its type, a JSON header of small fields and a binary body (parameters, an update), the
 * arrays in little-endian order.
 */
public record Message(MessageType type, ObjectNode header, byte[] body) {

    private static final byte[] EMPTY = new byte[0];

    public Message {
        java.util.Objects.requireNonNull(type, "type");
        header = header == null ? JsonNodeFactory.instance.objectNode() : header;
        body = body == null ? EMPTY : body;
    }

    public static Message of(MessageType type, ObjectNode header) {
        return new Message(type, header, EMPTY);
    }

    public static Message withFloats(MessageType type, ObjectNode header, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return new Message(type, header, b.array());
    }

    public static Message withLongs(MessageType type, ObjectNode header, long[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return new Message(type, header, b.array());
    }

    /** The body as floats; its length must be a multiple of 4 (checked by the reader's limits). */
    public float[] floats() {
        float[] out = new float[body.length / Float.BYTES];
        ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    public long[] longs() {
        long[] out = new long[body.length / Long.BYTES];
        ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
        return out;
    }

    public static ObjectNode newHeader() {
        return JsonNodeFactory.instance.objectNode();
    }
}
