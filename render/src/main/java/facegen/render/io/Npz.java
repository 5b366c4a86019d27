package facegen.render.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * NumPy {@code .npz} archives (a zip of {@code .npy} files, stored or deflated, as {@code np.savez} and
 * {@code np.savez_compressed} write them) and {@code .npy} arrays: numeric dtypes (f2 excluded) f4, f8, i1, i2, i4,
 * i8, u1, u2, u4, u8, b1, either byte order, C or Fortran order, read into doubles in C order. Object arrays
 * (pickles, e.g. a scipy sparse matrix saved without {@code .toarray()}) and other dtypes are refused with a message
 * saying what to convert.
 */
public final class Npz {
    /** Largest array accepted, in elements (a guard against corrupt headers). */
    static final long MAX_ELEMENTS = 1L << 30;

    private Npz() {}

    /**
     * One array.
     *
     * @param shape  extents, outermost first ([] for a scalar)
     * @param values row-major values
     */
    public record Array(int[] shape, double[] values) {
        /** Number of axes. */
        public int rank() {
            return shape.length;
        }

        /** Extents as text, e.g. "(5023, 3)". */
        public String shapeText() {
            return Arrays.toString(shape).replace('[', '(').replace(']', ')');
        }
    }

    /**
     * Every array of an {@code .npz} file, by name (the entry name without {@code .npy}).
     *
     * @throws IOException when the file is not a zip, or an entry is not a readable {@code .npy} (naming it)
     */
    public static Map<String, Array> read(Path file) throws IOException {
        Map<String, Array> out = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (ZipEntry e : Collections.list(zip.entries())) {
                if (e.isDirectory() || !e.getName().endsWith(".npy")) {
                    continue;
                }
                String name = e.getName().substring(0, e.getName().length() - 4);
                try (InputStream in = zip.getInputStream(e)) {
                    out.put(name, readNpy(in, file + "!" + e.getName()));
                }
            }
        } catch (java.util.zip.ZipException e) {
            throw new IOException(file + " is not a NumPy .npz (zip) archive: " + e.getMessage(), e);
        }
        return out;
    }

    /** One {@code .npy} array from a stream; {@code source} names it in messages. */
    public static Array readNpy(InputStream in, String source) throws IOException {
        byte[] magic = in.readNBytes(8);
        if (magic.length < 8 || (magic[0] & 0xff) != 0x93 || !new String(magic, 1, 5, StandardCharsets.ISO_8859_1).equals("NUMPY")) {
            throw new IOException(source + ": not a .npy array (bad magic)");
        }
        int major = magic[6];
        int headerLength;
        if (major == 1) {
            byte[] h = in.readNBytes(2);
            headerLength = (h[0] & 0xff) | (h[1] & 0xff) << 8;
        } else if (major == 2 || major == 3) {
            byte[] h = in.readNBytes(4);
            headerLength = (h[0] & 0xff) | (h[1] & 0xff) << 8 | (h[2] & 0xff) << 16 | (h[3] & 0xff) << 24;
        } else {
            throw new IOException(source + ": unsupported .npy version " + major);
        }
        if (headerLength < 0 || headerLength > 1 << 20) {
            throw new IOException(source + ": corrupt header length " + headerLength);
        }
        String header = new String(in.readNBytes(headerLength), StandardCharsets.ISO_8859_1);
        String descr = field(header, "'descr':\\s*'([^']*)'", source);
        boolean fortran = field(header, "'fortran_order':\\s*(True|False)", source).equals("True");
        int[] shape = parseShape(field(header, "'shape':\\s*\\(([^)]*)\\)", source), source);
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        if (n > MAX_ELEMENTS) {
            throw new IOException(source + ": array of " + n + " elements is too large");
        }
        if (descr.equals("|O") || descr.startsWith("O")) {
            throw new IOException(source + ": holds Python objects (a pickle), not numbers; convert it to a dense numeric"
                    + " array first (e.g. sparse.toarray() or np.asarray(x, dtype=np.float64))");
        }
        ByteOrder order = descr.startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        String type = descr.replaceFirst("^[<>|=]", "");
        int size = switch (type) {
            case "f4", "i4", "u4" -> 4;
            case "f8", "i8", "u8" -> 8;
            case "i2", "u2" -> 2;
            case "i1", "u1", "b1" -> 1;
            default -> throw new IOException(source + ": unsupported dtype '" + descr + "' (use float32/64 or integers)");
        };
        byte[] raw = in.readNBytes((int) Math.min(Integer.MAX_VALUE, n * size));
        if (raw.length != n * size) {
            throw new IOException(source + ": truncated data, " + raw.length + " of " + n * size + " bytes for shape "
                    + Arrays.toString(shape));
        }
        ByteBuffer buf = ByteBuffer.wrap(raw).order(order);
        double[] values = new double[(int) n];
        for (int i = 0; i < n; i++) {
            values[i] = switch (type) {
                case "f4" -> buf.getFloat();
                case "f8" -> buf.getDouble();
                case "i4" -> buf.getInt();
                case "u4" -> Integer.toUnsignedLong(buf.getInt());
                case "i8" -> buf.getLong();
                case "u8" -> unsigned(buf.getLong());
                case "i2" -> buf.getShort();
                case "u2" -> Short.toUnsignedInt(buf.getShort());
                case "i1" -> buf.get();
                default -> Byte.toUnsignedInt(buf.get());
            };
        }
        return new Array(shape, fortran ? toCOrder(values, shape) : values);
    }

    /** Writes arrays as an uncompressed {@code .npz} ({@code <f8}, C order): for tests and tools. */
    public static void write(Path file, Map<String, Array> arrays) throws IOException {
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(java.nio.file.Files.newOutputStream(file))) {
            for (Map.Entry<String, Array> e : arrays.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
                zip.write(npyBytes(e.getValue()));
                zip.closeEntry();
            }
        }
    }

    /** The bytes of a {@code .npy} (version 1.0, {@code <f8}, C order) holding {@code a}. */
    public static byte[] npyBytes(Array a) {
        StringBuilder shape = new StringBuilder();
        for (int d : a.shape()) {
            shape.append(d).append(", ");
        }
        String dims = a.shape().length == 1 ? a.shape()[0] + "," : shape.length() > 0 ? shape.substring(0, shape.length() - 2) : "";
        String header = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + dims + "), }";
        int total = 10 + header.length() + 1;
        int pad = (64 - total % 64) % 64;
        header = header + " ".repeat(pad) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x93);
        out.writeBytes("NUMPY".getBytes(StandardCharsets.ISO_8859_1));
        out.write(1);
        out.write(0);
        out.write(header.length() & 0xff);
        out.write(header.length() >> 8);
        out.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
        ByteBuffer data = ByteBuffer.allocate(8 * a.values().length).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : a.values()) {
            data.putDouble(v);
        }
        out.writeBytes(data.array());
        return out.toByteArray();
    }

    private static double unsigned(long v) {
        return v >= 0 ? v : (v >>> 1) * 2.0 + (v & 1);
    }

    private static String field(String header, String regex, String source) throws IOException {
        Matcher m = Pattern.compile(regex).matcher(header);
        if (!m.find()) {
            throw new IOException(source + ": .npy header lacks " + regex.substring(1, regex.indexOf(':')) + " (" + header.strip() + ")");
        }
        return m.group(1);
    }

    private static int[] parseShape(String text, String source) throws IOException {
        String t = text.strip();
        if (t.isEmpty()) {
            return new int[0];
        }
        String[] parts = t.split(",");
        int count = 0;
        int[] dims = new int[parts.length];
        for (String p : parts) {
            if (p.isBlank()) {
                continue;
            }
            try {
                dims[count] = Integer.parseInt(p.strip().replace("L", ""));
            } catch (NumberFormatException e) {
                throw new IOException(source + ": bad shape (" + text + ")");
            }
            if (dims[count] < 0) {
                throw new IOException(source + ": negative extent in shape (" + text + ")");
            }
            count++;
        }
        return Arrays.copyOf(dims, count);
    }

    /** Fortran (column-major) values of {@code shape} rearranged to row-major. */
    private static double[] toCOrder(double[] f, int[] shape) {
        double[] c = new double[f.length];
        int r = shape.length;
        int[] idx = new int[r];
        for (int i = 0; i < f.length; i++) {
            int fo = 0;
            int stride = 1;
            for (int k = 0; k < r; k++) {
                fo += idx[k] * stride;
                stride *= shape[k];
            }
            c[i] = f[fo];
            for (int k = r - 1; k >= 0; k--) {
                if (++idx[k] < shape[k]) {
                    break;
                }
                idx[k] = 0;
            }
        }
        return c;
    }
}
