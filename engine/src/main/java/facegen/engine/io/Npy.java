package facegen.engine.io;

import facegen.engine.tensor.Shape;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * NumPy's {@code .npy} format (numpy/lib/format.py), versions 1.0 to 3.0:
 * <pre>
 *   "\x93NUMPY" major minor   magic and version
 *   2 bytes (v1) or 4 (v2, v3) header length, little-endian
 *   header                    a Python dict literal: {'descr': '&lt;f4', 'fortran_order': False, 'shape': (3, 4), }
 *   data                      numel elements of descr, row-major (column-major when fortran_order)
 * </pre>
 * Only plain numeric and boolean dtypes are read; object arrays (which need pickle), structured and complex
 * dtypes are refused with the dtype named. Writing produces version 1.0 with the header padded to 64 bytes.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    private Npy() {}

    /** Reads the array in {@code file}. */
    public static StoredTensor read(Path file) throws IOException {
        return decode(Files.readAllBytes(file), file.toString());
    }

    /**
     * Decodes the bytes of a {@code .npy} file.
     *
     * @param source names the file in error messages
     * @throws WeightFileException for a malformed or unsupported file
     */
    public static StoredTensor decode(byte[] bytes, String source) throws WeightFileException {
        if (bytes.length < 10 || !java.util.Arrays.equals(bytes, 0, 6, MAGIC, 0, 6)) {
            throw new WeightFileException(source + ": not a .npy file (no \\x93NUMPY magic)");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int major = bytes[6];
        int headerStart;
        long headerLength;
        switch (major) {
            case 1 -> {
                headerLength = b.getShort(8) & 0xffff;
                headerStart = 10;
            }
            case 2, 3 -> {
                if (bytes.length < 12) {
                    throw new WeightFileException(source + ": truncated .npy header");
                }
                headerLength = b.getInt(8) & 0xffffffffL;
                headerStart = 12;
            }
            default -> throw new WeightFileException(source + ": unsupported .npy version " + major + "." + bytes[7]);
        }
        if (headerLength > bytes.length - headerStart) {
            throw new WeightFileException(source + ": .npy header of " + headerLength + " bytes runs past the end of the "
                    + bytes.length + "-byte file (truncated)");
        }
        String headerText = new String(bytes, headerStart, (int) headerLength,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Map<String, Object> header;
        try {
            header = new Literal(headerText).dict();
        } catch (IllegalArgumentException e) {
            throw new WeightFileException(source + ": .npy header " + headerText.strip() + ": " + e.getMessage(), e);
        }
        if (!(header.get("descr") instanceof String descr)) {
            throw new WeightFileException(source + ": .npy header has no string 'descr' (structured dtypes are not supported): "
                    + headerText.strip());
        }
        if (!(header.get("fortran_order") instanceof Boolean fortran)) {
            throw new WeightFileException(source + ": .npy header has no boolean 'fortran_order'");
        }
        if (!(header.get("shape") instanceof List<?> dimList)) {
            throw new WeightFileException(source + ": .npy header has no tuple 'shape'");
        }
        if (descr.length() < 2) {
            throw new WeightFileException(source + ": unsupported dtype '" + descr + "'");
        }
        if (descr.equals("|O") || descr.startsWith("O")) {
            throw new WeightFileException(source + ": dtype '" + descr + "' holds Python objects (a pickle), not numbers;"
                    + " convert it to a dense numeric array first (e.g. sparse.toarray() or np.asarray(x, dtype=np.float64))");
        }
        char order = descr.charAt(0);
        ElementType type = ElementType.fromNumpy(descr.substring(1));
        if (type == null || "<>|=".indexOf(order) < 0) {
            throw new WeightFileException(source + ": dtype '" + descr + "' is not supported (numeric and boolean only;"
                    + " object arrays would need pickle)");
        }
        int[] shape = new int[dimList.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            if (!(dimList.get(i) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE) {
                throw new WeightFileException(source + ": bad extent " + dimList.get(i) + " in shape " + dimList);
            }
            shape[i] = (int) (long) d;
            numel *= d;
            if (numel > Integer.MAX_VALUE - 16) {
                throw new WeightFileException(source + ": shape " + dimList + " has more than 2^31 elements");
            }
        }
        int dataStart = headerStart + (int) headerLength;
        long needed = numel * type.bytes();
        if (bytes.length - dataStart != needed) {
            throw new WeightFileException(source + ": shape " + new Shape(shape) + " of " + descr + " needs " + needed
                    + " data bytes, the file holds " + (bytes.length - dataStart)
                    + (bytes.length - dataStart < needed ? " (truncated)" : ""));
        }
        ByteBuffer data = ByteBuffer.wrap(bytes, dataStart, (int) needed).slice()
                .order(order == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        double[] values = new double[(int) numel];
        for (int i = 0; i < values.length; i++) {
            values[i] = type.read(data, i);
        }
        if (fortran && shape.length > 1) {
            values = toRowMajor(values, shape);
        }
        return new StoredTensor(type, new Shape(shape), values);
    }

    /** The bytes of a version 1.0 {@code .npy} file holding {@code t}, little-endian, row-major. */
    public static byte[] encode(StoredTensor t) {
        if (t.type().numpyCode() == null) {
            throw new IllegalArgumentException("NumPy has no " + t.type() + " dtype");
        }
        StringBuilder dims = new StringBuilder("(");
        int[] shape = t.shape().dims();
        for (int i = 0; i < shape.length; i++) {
            dims.append(shape[i]).append(i == 0 && shape.length == 1 ? ",)" : i == shape.length - 1 ? ")" : ", ");
        }
        if (shape.length == 0) {
            dims.append(')');
        }
        char order = t.type().bytes() == 1 ? '|' : '<';
        StringBuilder header = new StringBuilder("{'descr': '" + order + t.type().numpyCode()
                + "', 'fortran_order': False, 'shape': " + dims + ", }");
        while ((10 + header.length() + 1) % 64 != 0) {
            header.append(' ');
        }
        header.append('\n');
        byte[] h = header.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer out = ByteBuffer.allocate(10 + h.length + t.values().length * t.type().bytes()).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) h.length).put(h);
        ByteBuffer data = out.slice().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < t.values().length; i++) {
            t.type().write(data, i, t.values()[i]);
        }
        return out.array();
    }

    /** Column-major values of {@code shape} in row-major order. */
    private static double[] toRowMajor(double[] columnMajor, int[] shape) {
        int rank = shape.length;
        double[] out = new double[columnMajor.length];
        int[] index = new int[rank];
        for (int f = 0; f < columnMajor.length; f++) {
            int r = 0;
            for (int a = 0; a < rank; a++) {
                r = r * shape[a] + index[a];
            }
            out[r] = columnMajor[f];
            for (int a = 0; a < rank && ++index[a] == shape[a]; a++) {
                index[a] = 0;
            }
        }
        return out;
    }

    /** The Python literals of a .npy header: a dict of str keys to str, bool, int or tuple-of-int values. */
    private static final class Literal {
        private final String s;
        private int pos;

        Literal(String s) {
            this.s = s;
        }

        Map<String, Object> dict() {
            space();
            expect('{');
            Map<String, Object> map = new LinkedHashMap<>();
            while (true) {
                space();
                if (peek() == '}') {
                    pos++;
                    break;
                }
                String key = string();
                space();
                expect(':');
                space();
                map.put(key, value());
                space();
                if (peek() == ',') {
                    pos++;
                } else if (peek() != '}') {
                    throw new IllegalArgumentException("expected ',' or '}' at " + pos);
                }
            }
            space();
            if (pos != s.length()) {
                throw new IllegalArgumentException("trailing characters at " + pos);
            }
            return map;
        }

        private Object value() {
            char c = peek();
            if (c == '\'' || c == '"') {
                return string();
            }
            if (c == '(' || c == '[') {
                return tuple(c == '(' ? ')' : ']');
            }
            if (s.startsWith("True", pos)) {
                pos += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("False", pos)) {
                pos += 5;
                return Boolean.FALSE;
            }
            if (c >= '0' && c <= '9') {
                return integer();
            }
            throw new IllegalArgumentException("unsupported value at " + pos + " (structured dtypes are not supported)");
        }

        private List<Object> tuple(char close) {
            pos++;
            List<Object> items = new ArrayList<>();
            while (true) {
                space();
                if (peek() == close) {
                    pos++;
                    return items;
                }
                if (items.size() >= 64) {
                    throw new IllegalArgumentException("more than 64 extents");
                }
                items.add(integer());
                space();
                if (peek() == ',') {
                    pos++;
                } else if (peek() != close) {
                    throw new IllegalArgumentException("expected ',' or '" + close + "' at " + pos);
                }
            }
        }

        private Long integer() {
            int start = pos;
            while (pos < s.length() && Character.isDigit(s.charAt(pos)) && s.charAt(pos) < 128) {
                pos++;
            }
            if (start == pos || pos - start > 18) {
                throw new IllegalArgumentException("expected an integer at " + start);
            }
            long v = Long.parseLong(s.substring(start, pos));
            if (peek() == 'L') {
                pos++;                                                   // Python 2 long suffix
            }
            return v;
        }

        private String string() {
            char quote = peek();
            if (quote != '\'' && quote != '"') {
                throw new IllegalArgumentException("expected a string at " + pos);
            }
            int end = s.indexOf(quote, pos + 1);
            if (end < 0) {
                throw new IllegalArgumentException("unterminated string at " + pos);
            }
            String v = s.substring(pos + 1, end);
            pos = end + 1;
            return v;
        }

        private void space() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        private char peek() {
            return pos < s.length() ? s.charAt(pos) : '\0';
        }

        private void expect(char c) {
            if (peek() != c) {
                throw new IllegalArgumentException("expected '" + c + "' at " + pos);
            }
            pos++;
        }
    }
}
