package io.ringfold.data;

import io.ringfold.tensor.CsrMatrix;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads the LIBSVM / SVMlight text format, {@code label index:value index:value ...} with 1-based,
 * strictly increasing indices, into a sparse {@link Dataset} (gzip recognised by its magic bytes). Text
 * after {@code '#'} is a comment; blank lines are ignored. Column {@code i-1} holds index {@code i} and is
 * named {@code f<i>}. Zero values are not stored. Labels are kept as the numbers in the file, except
 * LIBSVM's binary convention: when every label is -1 or +1 they become classes 0 ("-1") and 1 ("+1"),
 * so binary data sets train as classifiers without editing the file.
 *
 * <p>The width is the largest index seen, or the number set by {@link #withNumFeatures} (so that a test
 * file is as wide as the training file); an index beyond that number is an error.
 */
public final class LibSvmReader {

    private final int numFeatures; // 0: from the data

    public LibSvmReader() {
        this(0);
    }

    private LibSvmReader(int numFeatures) {
        this.numFeatures = numFeatures;
    }

    public LibSvmReader withNumFeatures(int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("numFeatures: " + n + " (expected: > 0)");
        }
        return new LibSvmReader(n);
    }

    /** The fixed width, or 0 when the width comes from the data. */
    public int numFeatures() {
        return numFeatures;
    }

    public Dataset read(Path path) {
        try (InputStream in = DataFiles.openRaw(path)) {
            return read(in, path.toString());
        } catch (IOException e) {
            throw DataFiles.unreadable(path.toString(), e);
        }
    }

    /** Reads from {@code in} (not closed; gzip recognised), naming it {@code source} in messages. */
    public Dataset read(InputStream in, String source) {
        long lineNo = 0;
        GrowableArrays.Floats labels = new GrowableArrays.Floats();
        GrowableArrays.Ints rowPtr = new GrowableArrays.Ints();
        GrowableArrays.Ints cols = new GrowableArrays.Ints();
        GrowableArrays.Floats values = new GrowableArrays.Floats();
        rowPtr.add(0);
        int maxIndex = 0;
        List<String> tokens = new ArrayList<>();
        try {
            BufferedReader reader = new BufferedReader(new InputStreamReader(DataFiles.decompressIfGzip(in),
                    StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                lineNo++;
                int hash = line.indexOf('#');
                tokenize(hash >= 0 ? line.substring(0, hash) : line, tokens);
                if (tokens.isEmpty()) {
                    continue;
                }
                String labelText = tokens.get(0);
                float label = NumberCells.parseOrNaN(labelText);
                if (Float.isNaN(label)) {
                    throw new DataFormatException(source, lineNo, NumberCells.describeBad(labelText) + " as label",
                            "a finite number first on the line");
                }
                labels.add(label);
                int previous = 0;
                for (int t = 1; t < tokens.size(); t++) {
                    String tok = tokens.get(t);
                    int colon = tok.indexOf(':');
                    if (colon < 0) {
                        throw new DataFormatException(source, lineNo, "token " + DataFormatException.quote(tok)
                                + " has no ':'", "index:value pairs after the label");
                    }
                    int index = parseIndex(tok.substring(0, colon), source, lineNo);
                    if (index <= previous) {
                        throw new DataFormatException(source, lineNo, "index " + index + " after " + previous,
                                "strictly increasing indices");
                    }
                    if (numFeatures > 0 && index > numFeatures) {
                        throw new DataFormatException(source, lineNo, "index " + index,
                                "at most " + numFeatures + " (the set number of features)");
                    }
                    String valueText = tok.substring(colon + 1);
                    float v = NumberCells.parseOrNaN(valueText);
                    if (Float.isNaN(v)) {
                        throw new DataFormatException(source, lineNo, NumberCells.describeBad(valueText)
                                + " at index " + index, "a finite number");
                    }
                    previous = index;
                    if (v != 0f) {
                        cols.add(index - 1);
                        values.add(v);
                    }
                }
                maxIndex = Math.max(maxIndex, previous);
                rowPtr.add(cols.size());
            }
        } catch (IOException e) {
            throw DataFiles.unreadable(source, lineNo, e);
        }
        if (labels.size() == 0) {
            throw new DataFormatException(source, lineNo, lineNo == 0 ? "empty file" : "no data lines",
                    "lines of the form 'label index:value ...'");
        }
        int width = numFeatures > 0 ? numFeatures : maxIndex;
        if (width == 0) {
            throw new DataFormatException(source, lineNo, "no feature appears in any row",
                    "at least one index:value pair, or a set number of features");
        }
        int rows = labels.size();
        CsrMatrix x = new CsrMatrix(rows, width, rowPtr.toArray(), cols.toArray(), values.toArray());
        float[] y = labels.toArray();
        List<String> classNames = List.of();
        if (plusMinusOne(y)) {
            for (int i = 0; i < y.length; i++) {
                y[i] = y[i] > 0 ? 1f : 0f;
            }
            classNames = List.of("-1", "+1");
        }
        Schema schema = new Schema(featureNames(width), classNames, Map.of(), "label");
        return new Dataset(x, y, schema, source);
    }

    private static boolean plusMinusOne(float[] y) {
        for (float v : y) {
            if (v != 1f && v != -1f) {
                return false;
            }
        }
        return true;
    }

    private static List<String> featureNames(int width) {
        List<String> names = new ArrayList<>(width);
        for (int i = 1; i <= width; i++) {
            names.add("f" + i);
        }
        return names;
    }

    private static int parseIndex(String text, String source, long line) {
        boolean digits = !text.isEmpty() && text.length() <= 10;
        for (int i = 0; digits && i < text.length(); i++) {
            char c = text.charAt(i);
            digits = c >= '0' && c <= '9';
        }
        long v = digits ? Long.parseLong(text) : -1;
        if (v < 0 || v > Integer.MAX_VALUE - 8) {
            throw new DataFormatException(source, line, "index " + DataFormatException.quote(text)
                    + " is not an integer", "a 1-based integer index");
        }
        if (v == 0) {
            throw new DataFormatException(source, line, "index 0", "1-based indices (>= 1)");
        }
        return (int) v;
    }

    /** Splits on spaces and tabs into {@code out} (cleared first), without regular expressions. */
    private static void tokenize(String line, List<String> out) {
        out.clear();
        int n = line.length();
        int i = 0;
        while (i < n) {
            while (i < n && Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && !Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            if (i > start) {
                out.add(line.substring(start, i));
            }
        }
    }
}
