package facegen.nn.io;

import facegen.engine.io.ElementType;
import facegen.engine.io.StoredTensor;
import facegen.engine.io.TensorFile;
import facegen.engine.io.WeightFileException;
import facegen.engine.tensor.Shape;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The safetensors format (huggingface/safetensors), which Python reads with {@code safetensors.torch.load_file}
 * or {@code safetensors.numpy.load_file}:
 * <pre>
 *   8 bytes   N, the header length, unsigned little-endian
 *   N bytes   UTF-8 JSON: {"__metadata__": {str: str}, name: {"dtype": "F32", "shape": [...],
 *             "data_offsets": [begin, end]}, ...}, padded with spaces to a multiple of 8
 *   rest      the tensors' bytes, little-endian, row-major; offsets are relative to here and tile it exactly
 * </pre>
 * Writing orders tensors by decreasing element size (stable), so every tensor starts aligned to its element
 * size, as the reference implementation does, and records the CRC-32 of the data bytes in the metadata
 * ({@value #CRC_KEY}, ignored by other readers). Reading validates everything the reference implementation does
 * (header bounds, known dtypes, byte counts matching shapes, offsets covering the data without holes or
 * overlaps), checks that CRC when present (the format has no checksum of its own, so this is what catches flipped
 * bits in the data) and reports the first violation with the tensor's name.
 */
public final class Safetensors {
    /** The largest header we accept (the reference implementation's limit). */
    static final int MAX_HEADER_BYTES = 100 << 20;
    private static final String METADATA = "__metadata__";
    /** The metadata key of the data section's CRC-32 (8 hex digits). */
    public static final String CRC_KEY = "facegen.data_crc32";

    private Safetensors() {}

    /** Writes {@code tensors} and {@code metadata} to {@code file} atomically ({@link AtomicFile}). */
    public static void write(Path file, Map<String, StoredTensor> tensors, Map<String, String> metadata) throws IOException {
        AtomicFile.write(file, encode(tensors, metadata));
    }

    /** The file's bytes for {@code tensors} and {@code metadata} (plus the data's CRC-32 under {@value #CRC_KEY}). */
    public static byte[] encode(Map<String, StoredTensor> tensors, Map<String, String> metadata) {
        List<Map.Entry<String, StoredTensor>> order = new ArrayList<>(tensors.entrySet());
        order.sort(Comparator.comparingInt((Map.Entry<String, StoredTensor> e) -> -e.getValue().type().bytes()));
        long dataLength = 0;
        for (Map.Entry<String, StoredTensor> e : order) {
            if (e.getKey().equals(METADATA)) {
                throw new IllegalArgumentException("'" + METADATA + "' is reserved and cannot name a tensor");
            }
            dataLength += (long) e.getValue().values().length * e.getValue().type().bytes();
        }
        if (dataLength > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("safetensors data of " + dataLength + " bytes exceeds 2 GiB");
        }
        ByteBuffer data = ByteBuffer.allocate((int) dataLength).order(ByteOrder.LITTLE_ENDIAN);
        for (Map.Entry<String, StoredTensor> e : order) {
            StoredTensor t = e.getValue();
            ByteBuffer slice = data.slice(data.position(), t.values().length * t.type().bytes()).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < t.values().length; i++) {
                t.type().write(slice, i, t.values()[i]);
            }
            data.position(data.position() + slice.capacity());
        }
        CRC32 crc = new CRC32();
        crc.update(data.array());
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put(CRC_KEY, String.format("%08x", crc.getValue()));

        StringBuilder header = new StringBuilder("{");
        header.append(Json.quote(METADATA)).append(":{");
        String sep = "";
        for (Map.Entry<String, String> e : meta.entrySet()) {
            header.append(sep).append(Json.quote(e.getKey())).append(':').append(Json.quote(e.getValue()));
            sep = ",";
        }
        header.append('}');
        long offset = 0;
        for (Map.Entry<String, StoredTensor> e : order) {
            StoredTensor t = e.getValue();
            long size = (long) t.values().length * t.type().bytes();
            header.append(',').append(Json.quote(e.getKey()))
                    .append(":{\"dtype\":\"").append(t.type().safetensorsName()).append("\",\"shape\":[");
            int[] dims = t.shape().dims();
            for (int i = 0; i < dims.length; i++) {
                header.append(i > 0 ? "," : "").append(dims[i]);
            }
            header.append("],\"data_offsets\":[").append(offset).append(',').append(offset + size).append("]}");
            offset += size;
        }
        header.append('}');
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        if (8L + padded + dataLength > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("safetensors file of " + (8L + padded + dataLength) + " bytes exceeds 2 GiB");
        }
        ByteBuffer out = ByteBuffer.allocate(8 + padded + (int) dataLength).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(json);
        for (int i = json.length; i < padded; i++) {
            out.put((byte) ' ');
        }
        out.put(data.array());
        return out.array();
    }

    /** Reads {@code file}. */
    public static TensorFile read(Path file) throws IOException {
        return decode(Files.readAllBytes(file), file.toString());
    }

    /**
     * Decodes the bytes of a safetensors file.
     *
     * @param source names the file in error messages
     * @throws WeightFileException for anything that is not a valid safetensors file
     */
    public static TensorFile decode(byte[] bytes, String source) throws WeightFileException {
        if (bytes.length < 8) {
            throw new WeightFileException(source + ": " + bytes.length + " bytes is too short for a safetensors file (truncated?)");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = buffer.getLong(0);
        if (headerLength < 2 || headerLength > MAX_HEADER_BYTES || headerLength > bytes.length - 8) {
            throw new WeightFileException(source + ": header length " + Long.toUnsignedString(headerLength) + " does not fit the "
                    + bytes.length + "-byte file (truncated or not safetensors)");
        }
        String headerText;
        try {
            headerText = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 8, (int) headerLength)).toString();
        } catch (CharacterCodingException e) {
            throw new WeightFileException(source + ": header is not UTF-8", e);
        }
        if (!headerText.startsWith("{")) {
            throw new WeightFileException(source + ": header does not start with '{' (not safetensors)");
        }
        Object parsed;
        try {
            parsed = Json.parse(headerText);
        } catch (IllegalArgumentException e) {
            throw new WeightFileException(source + ": header: " + e.getMessage(), e);
        }
        if (!(parsed instanceof Map<?, ?> header)) {
            throw new WeightFileException(source + ": header is not a JSON object");
        }
        int dataStart = 8 + (int) headerLength;
        long dataLength = bytes.length - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<?, ?> e : header.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals(METADATA)) {
                metadata = metadata(e.getValue(), source);
            } else {
                entries.add(entry(name, e.getValue(), dataLength, source));
            }
        }
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin));
        long expected = 0;
        for (Entry e : byOffset) {
            if (e.begin() != expected) {
                throw new WeightFileException(source + ": tensor '" + e.name() + "' starts at byte " + e.begin() + " of the data, expected "
                        + expected + " (offsets overlap or leave a hole)");
            }
            expected = e.end();
        }
        if (expected != dataLength) {
            throw new WeightFileException(source + ": tensors cover " + expected + " bytes of data, the file holds " + dataLength
                    + (expected > dataLength ? " (truncated)" : " (trailing bytes)"));
        }
        String recorded = metadata.get(CRC_KEY);
        if (recorded != null) {
            CRC32 crc = new CRC32();
            crc.update(bytes, dataStart, (int) dataLength);
            if (!recorded.equals(String.format("%08x", crc.getValue()))) {
                throw new WeightFileException(source + ": the tensor data fails its CRC-32 (recorded " + recorded + ", computed "
                        + String.format("%08x", crc.getValue()) + "): the file is corrupt");
            }
        }
        Map<String, StoredTensor> tensors = new LinkedHashMap<>();
        for (Entry e : entries) {
            int n = (int) ((e.end() - e.begin()) / e.type().bytes());
            ByteBuffer data = ByteBuffer.wrap(bytes, dataStart + (int) e.begin(), (int) (e.end() - e.begin())).slice()
                    .order(ByteOrder.LITTLE_ENDIAN);
            double[] values = new double[n];
            for (int i = 0; i < n; i++) {
                values[i] = e.type().read(data, i);
            }
            tensors.put(e.name(), new StoredTensor(e.type(), e.shape(), values));
        }
        return new TensorFile(metadata, tensors);
    }

    /** One header entry, validated. */
    private record Entry(String name, ElementType type, Shape shape, long begin, long end) {}

    private static Map<String, String> metadata(Object value, String source) throws WeightFileException {
        if (!(value instanceof Map<?, ?> map)) {
            throw new WeightFileException(source + ": __metadata__ is not an object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getValue() instanceof String s)) {
                throw new WeightFileException(source + ": __metadata__ value of '" + e.getKey() + "' is not a string");
            }
            out.put((String) e.getKey(), s);
        }
        return out;
    }

    private static Entry entry(String name, Object value, long dataLength, String source) throws WeightFileException {
        String where = source + ": tensor '" + name + "'";
        if (!(value instanceof Map<?, ?> info) || info.size() != 3) {
            throw new WeightFileException(where + ": expected {dtype, shape, data_offsets}");
        }
        if (!(info.get("dtype") instanceof String dtype)) {
            throw new WeightFileException(where + ": dtype missing or not a string");
        }
        ElementType type = ElementType.fromSafetensors(dtype);
        if (type == null) {
            throw new WeightFileException(where + ": dtype " + dtype + " is not supported");
        }
        long[] dims = longs(info.get("shape"), -1, where + ": shape");
        long[] offsets = longs(info.get("data_offsets"), 2, where + ": data_offsets");
        int[] shape = new int[dims.length];
        long numel = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0 || dims[i] > Integer.MAX_VALUE) {
                throw new WeightFileException(where + ": extent " + dims[i] + " out of range");
            }
            shape[i] = (int) dims[i];
            numel = numel * dims[i];
            if (numel > Integer.MAX_VALUE - 16) {
                throw new WeightFileException(where + ": more than 2^31 elements");
            }
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (begin < 0 || end < begin || end > dataLength) {
            throw new WeightFileException(where + ": data_offsets [" + begin + ", " + end + "] outside the "
                    + dataLength + " bytes of data (truncated?)");
        }
        if (end - begin != numel * type.bytes()) {
            throw new WeightFileException(where + ": shape " + new Shape(shape) + " of " + dtype + " needs "
                    + numel * type.bytes() + " bytes, data_offsets give " + (end - begin));
        }
        return new Entry(name, type, new Shape(shape), begin, end);
    }

    private static long[] longs(Object value, int count, String where) throws WeightFileException {
        if (!(value instanceof List<?> list) || (count >= 0 && list.size() != count) || list.size() > 64) {
            throw new WeightFileException(where + ": expected a list of " + (count >= 0 ? count + " " : "") + "integers");
        }
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Long l)) {
                throw new WeightFileException(where + ": expected integers, got " + list.get(i));
            }
            out[i] = l;
        }
        return out;
    }
}
