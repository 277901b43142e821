package io.ringfold.data;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the records of a delimited text file as RFC 4180 has them. A record ends at a line break
 * ({@code \n}, {@code \r\n} or a lone {@code \r}) outside quotes. A cell that starts with a double quote
 * (after blanks) runs to the matching closing quote and may hold delimiters and line breaks, kept as
 * they are; {@code ""} inside it is one quote; only blanks may follow the closing quote. Unquoted cells
 * are trimmed. Lines holding nothing but blanks are skipped.
 *
 * <p>Errors are {@link DataFormatException}s naming the source and the line the record starts on, and the
 * cell by its position (and name, once {@link #nameColumns} has given the names); an unclosed quote
 * names the line where it opened. Not thread-safe; the reader is not closed.
 */
public final class CsvRecords {

    private static final int EOF = -1;

    private final Reader in;
    private final char delimiter;
    private final String source;
    private final char[] buffer = new char[1 << 16];
    private int pos;
    private int limit;
    private long line = 1; // the physical line of the next character
    private long recordLine;
    private List<String> names = List.of();
    private final StringBuilder cell = new StringBuilder();
    private final List<String> cells = new ArrayList<>();

    public CsvRecords(Reader in, char delimiter, String source) {
        if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
            throw new IllegalArgumentException("delimiter: '" + delimiter + "' (expected: not a quote or line break)");
        }
        this.in = in;
        this.delimiter = delimiter;
        this.source = source;
    }

    /** Column names for messages, from the header: a cell's error then names its column too. */
    public void nameColumns(List<String> columnNames) {
        this.names = List.copyOf(columnNames);
    }

    /** The line the record last returned by {@link #next} starts on (1-based). */
    public long recordLine() {
        return recordLine;
    }

    /** The cells of the next record that is not blank, or null at the end of the input. */
    public String[] next() throws IOException {
        while (true) {
            int c = peek();
            if (c == EOF) {
                return null;
            }
            recordLine = line;
            cells.clear();
            boolean quoted = readRecord();
            if (quoted || cells.size() > 1 || !cells.get(0).isEmpty()) {
                return cells.toArray(new String[0]);
            }
        }
    }

    /** Reads cells up to the end of the record (its line break consumed); true if any cell was quoted. */
    private boolean readRecord() throws IOException {
        boolean anyQuoted = false;
        while (true) {
            int c = peek();
            while (c != EOF && c != delimiter && c != '\n' && c != '\r' && Character.isWhitespace(c)) {
                pos++;
                c = peek();
            }
            cell.setLength(0);
            if (c == '"') {
                anyQuoted = true;
                pos++;
                readQuoted();
                cells.add(cell.toString());
                c = peek();
                while (c != EOF && c != delimiter && c != '\n' && c != '\r') {
                    if (!Character.isWhitespace(c)) {
                        throw new DataFormatException(source, recordLine, "text after the closing quote of "
                                + cellName(cells.size()), "the delimiter '" + delimiter + "' or the end of the line"
                                + " right after a quoted cell");
                    }
                    pos++;
                    c = peek();
                }
            } else {
                while (c != EOF && c != delimiter && c != '\n' && c != '\r') {
                    cell.append((char) c);
                    pos++;
                    c = peek();
                }
                cells.add(cell.toString().trim());
            }
            if (c == delimiter) {
                pos++;
                continue;
            }
            if (c != EOF) {
                lineBreak();
            }
            return anyQuoted;
        }
    }

    /** The quoted cell's content after its opening quote, up to and including the closing quote. */
    private void readQuoted() throws IOException {
        long opened = line;
        while (true) {
            int c = peek();
            if (c == EOF) {
                throw new DataFormatException(source, opened, "the quote opening " + cellName(cells.size() + 1)
                        + (opened == recordLine ? "" : " of the record starting on line " + recordLine)
                        + " is not closed before the end of the file",
                        "a closing '\"', and \"\" for a quote inside the cell");
            }
            pos++;
            if (c == '"') {
                if (peek() != '"') {
                    return;
                }
                pos++;
                cell.append('"');
            } else if (c == '\r' || c == '\n') {
                cell.append((char) c);
                if (c == '\r' && peek() == '\n') {
                    pos++;
                    cell.append('\n');
                }
                line++;
            } else {
                cell.append((char) c);
            }
        }
    }

    /** Consumes one line break at the current position: CRLF, LF or a lone CR. */
    private void lineBreak() throws IOException {
        int c = buffer[pos++];
        if (c == '\r' && peek() == '\n') {
            pos++;
        }
        line++;
    }

    /** "cell 3" or "cell 3 ('body')": 1-based position, and the column's name when known. */
    private String cellName(int position) {
        return "cell " + position + (position <= names.size() ? " ('" + names.get(position - 1) + "')" : "");
    }

    private int peek() throws IOException {
        if (pos == limit) {
            limit = in.read(buffer, 0, buffer.length);
            pos = 0;
            if (limit <= 0) {
                limit = 0;
                return EOF;
            }
        }
        return buffer[pos];
    }
}
