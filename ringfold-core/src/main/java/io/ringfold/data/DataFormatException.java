package io.ringfold.data;

/**
 * Bad input found while reading a data file: the message is one line, {@code FILE:LINE: problem
 * (expected: ...)}, so a user can jump to the offending place. Formats that are not line-based (IDX)
 * report line 0 and the message leaves the line out ({@code FILE: problem (expected: ...)}).
 */
public final class DataFormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String source;
    private final long line;

    public DataFormatException(String source, long line, String problem, String expected) {
        this(source, line, problem, expected, null);
    }

    public DataFormatException(String source, long line, String problem, String expected, Throwable cause) {
        super(format(source, line, problem, expected), cause);
        this.source = source;
        this.line = line;
    }

    private static String format(String source, long line, String problem, String expected) {
        String where = line > 0 ? source + ":" + line : source;
        String text = where + ": " + problem + (expected == null ? "" : " (expected: " + expected + ")");
        // One line, whatever the file contained.
        return text.replace('\r', ' ').replace('\n', ' ');
    }

    /** The file path or resource name that was being read. */
    public String source() {
        return source;
    }

    /** 1-based line number, or 0 when the format is not line-based. */
    public long line() {
        return line;
    }

    /** A cell value quoted for a message, cut short so a runaway cell cannot flood the log. */
    static String quote(String cell) {
        String c = cell.length() > 40 ? cell.substring(0, 37) + "..." : cell;
        return "'" + c + "'";
    }
}
