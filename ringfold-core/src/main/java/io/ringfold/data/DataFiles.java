package io.ringfold.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Opening data files: gzip is recognised by its magic bytes, not by the file name. */
final class DataFiles {

    private static final int BUFFER = 1 << 16;

    private DataFiles() {
    }

    /** Opens {@code path}, decompressing when it starts with the gzip magic bytes 1f 8b. */
    static InputStream open(Path path) {
        try {
            return decompressIfGzip(Files.newInputStream(path));
        } catch (IOException e) {
            throw unreadable(path.toString(), e);
        }
    }

    /** Opens {@code path} as it is; the readers' stream methods recognise gzip themselves. */
    static InputStream openRaw(Path path) {
        try {
            return Files.newInputStream(path);
        } catch (IOException e) {
            throw unreadable(path.toString(), e);
        }
    }

    /** Wraps {@code in} (buffered), decompressing when it starts with the gzip magic bytes. */
    static InputStream decompressIfGzip(InputStream in) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(in, BUFFER);
        buffered.mark(2);
        int b0 = buffered.read();
        int b1 = buffered.read();
        buffered.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            return new BufferedInputStream(new GZIPInputStream(buffered, BUFFER), BUFFER);
        }
        return buffered;
    }

    /** An I/O failure as a one-line message naming the file. */
    static DataFormatException unreadable(String source, IOException e) {
        return unreadable(source, 0, e);
    }

    static DataFormatException unreadable(String source, long line, IOException e) {
        String why;
        if (e instanceof NoSuchFileException) {
            why = "no such file";
        } else if (e instanceof AccessDeniedException) {
            why = "permission denied";
        } else if (e instanceof java.io.EOFException) {
            why = "unexpected end of file (truncated?)";
        } else {
            why = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
        return new DataFormatException(source, line, "cannot read file: " + why, "a readable, complete data file", e);
    }
}
