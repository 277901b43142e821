package io.ringfold.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits one CSV line into trimmed cells. Double-quoted cells may contain the delimiter and escape a
 * quote as {@code ""} (RFC 4180); a quoted cell cannot span lines.
 */
final class CsvLine {

    private CsvLine() {
    }

    static String[] split(String line, char delimiter, String source, long lineNo) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        int i = 0;
        int n = line.length();
        while (true) {
            // Skip leading blanks of the cell, then read either a quoted or a plain cell.
            while (i < n && line.charAt(i) != delimiter && Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            cell.setLength(0);
            if (i < n && line.charAt(i) == '"') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = line.charAt(i++);
                    if (c == '"') {
                        if (i < n && line.charAt(i) == '"') {
                            cell.append('"');
                            i++;
                        } else {
                            closed = true;
                            break;
                        }
                    } else {
                        cell.append(c);
                    }
                }
                if (!closed) {
                    throw new DataFormatException(source, lineNo, "unterminated quoted cell " + (cells.size() + 1),
                            "a closing '\"' on the same line");
                }
                while (i < n && line.charAt(i) != delimiter) {
                    if (!Character.isWhitespace(line.charAt(i))) {
                        throw new DataFormatException(source, lineNo, "text after the closing quote of cell "
                                + (cells.size() + 1), "the delimiter '" + delimiter + "' right after a quoted cell");
                    }
                    i++;
                }
                cells.add(cell.toString());
            } else {
                int start = i;
                while (i < n && line.charAt(i) != delimiter) {
                    i++;
                }
                cells.add(line.substring(start, i).trim());
            }
            if (i >= n) {
                return cells.toArray(new String[0]);
            }
            i++; // the delimiter
        }
    }
}
