package io.ringfold.io;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Builds container bytes by hand, field by field, so tests can craft files the writer would never
 * produce (bad JSON, absurd lengths) and still give them a valid checksum. Deliberately independent of
 * the production encoder.
 */
final class RawContainer {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** Magic and format version 1. */
    static RawContainer v1() {
        return new RawContainer().ascii("RINGFOLD").u32(1);
    }

    RawContainer ascii(String s) {
        return bytes(s.getBytes(StandardCharsets.US_ASCII));
    }

    RawContainer bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    RawContainer u32(long v) {
        return bytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
    }

    /** A length-prefixed UTF-8 string, as header and names are stored. */
    RawContainer utf8(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return u32(b.length).bytes(b);
    }

    RawContainer floatBits(int... bits) {
        for (int b : bits) {
            u32(b & 0xFFFF_FFFFL);
        }
        return this;
    }

    byte[] sealed() {
        byte[] body = out.toByteArray();
        byte[] file = Arrays.copyOf(body, body.length + 32);
        System.arraycopy(sha256(body), 0, file, body.length, 32);
        return file;
    }

    /** Replaces the last 32 bytes of {@code file} with the SHA-256 of the rest. */
    static byte[] reseal(byte[] file) {
        byte[] copy = file.clone();
        byte[] sum = sha256(Arrays.copyOf(file, file.length - 32));
        System.arraycopy(sum, 0, copy, file.length - 32, 32);
        return copy;
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
