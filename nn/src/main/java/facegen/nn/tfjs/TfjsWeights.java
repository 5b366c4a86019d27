package facegen.nn.tfjs;

import facegen.engine.tensor.Shape;
import facegen.engine.io.ElementType;
import facegen.nn.io.Json;
import facegen.engine.io.StoredTensor;
import facegen.engine.io.TensorFile;
import facegen.engine.io.WeightFileException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reader of TF.js weights manifests: a JSON array of groups {@code {paths: [shard...], weights: [entry...]}};
 * a group's shards concatenated hold its entries back to back, each {@code {name, shape, dtype,
 * quantization?}}. Stored element types: float32, int32, bool, and quantised uint8 / uint16
 * (value = min + scale * q) or float16. Every value is decoded to a double; float32 backends round it exactly
 * as TF.js does ({@code Float32Array} of {@code q * scale + min}).
 */
public final class TfjsWeights {
    private static final int MAX_RANK = 8;

    private TfjsWeights() {}

    /**
     * Reads {@code manifest} and the shard files it names (resolved beside it).
     *
     * @throws WeightFileException naming the file and tensor when the manifest is malformed, a shard is missing
     *                             or too short, or a dtype is unknown
     */
    public static TensorFile read(Path manifest) throws IOException {
        Path dir = manifest.toAbsolutePath().normalize().getParent();
        Object parsed = parse(Files.readAllBytes(manifest), manifest.toString());
        Map<String, byte[]> shards = new LinkedHashMap<>();
        for (String path : shardPaths(parsed, manifest.toString())) {
            Path shard = dir.resolve(path).normalize();
            if (!shard.startsWith(dir)) {
                throw new WeightFileException(manifest + ": shard path '" + path + "' leaves the manifest's folder");
            }
            try {
                shards.put(path, Files.readAllBytes(shard));
            } catch (NoSuchFileException e) {
                throw new WeightFileException(manifest + ": shard '" + path + "' not found beside the manifest", e);
            }
        }
        return decodeGroups(parsed, shards::get, manifest.toString());
    }

    /**
     * Decodes manifest JSON bytes whose shards {@code shard} returns by path (null = missing); {@code source}
     * names the manifest in messages.
     */
    public static TensorFile decode(byte[] manifestJson, Function<String, byte[]> shard, String source)
            throws WeightFileException {
        return decodeGroups(parse(manifestJson, source), shard, source);
    }

    /**
     * Decodes an already parsed manifest (the {@code weightsManifest} of a graph model's JSON) against shards
     * returned by path.
     */
    public static TensorFile decodeGroups(Object manifest, Function<String, byte[]> shard, String source)
            throws WeightFileException {
        Map<String, StoredTensor> tensors = new LinkedHashMap<>();
        for (Object group : list(manifest, "manifest", source)) {
            Map<?, ?> g = map(group, "weight group", source);
            byte[] bytes = concat(list(g.get("paths"), "paths", source), shard, source);
            ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            long offset = 0;
            for (Object entry : list(g.get("weights"), "weights", source)) {
                Entry e = Entry.parse(map(entry, "weight entry", source), source);
                long size = (long) e.stored.bytes() * e.shape.numel();
                if (offset + size > bytes.length) {
                    throw new WeightFileException(source + ": tensor '" + e.name + "' needs bytes [" + offset + ", "
                            + (offset + size) + ") but the shards hold " + bytes.length + " (truncated .bin?)");
                }
                if (tensors.containsKey(e.name)) {
                    throw new WeightFileException(source + ": tensor '" + e.name + "' listed twice");
                }
                tensors.put(e.name, e.decode(buffer.slice((int) offset, (int) size).order(ByteOrder.LITTLE_ENDIAN)));
                offset += size;
            }
            if (offset != bytes.length) {
                throw new WeightFileException(source + ": the entries use " + offset + " bytes but the shards hold "
                        + bytes.length + " (manifest and .bin do not belong together?)");
            }
        }
        return new TensorFile(Map.of(), tensors);
    }

    /**
     * One manifest entry. {@code stored} is what the shard holds (the quantised type when there is one);
     * value = min + scale * q for integer quantisation, the plain value otherwise.
     */
    private record Entry(String name, Shape shape, ElementType stored, double scale, double min) {

        static Entry parse(Map<?, ?> m, String source) throws WeightFileException {
            if (!(m.get("name") instanceof String name)) {
                throw new WeightFileException(source + ": weight entry without a string 'name'");
            }
            Shape shape = TfjsWeights.shape(m.get("shape"), name, source);
            ElementType dtype = switch (m.get("dtype") instanceof String s ? s : "") {
                case "float32" -> ElementType.F32;
                case "int32" -> ElementType.I32;
                case "bool" -> ElementType.BOOL;
                default -> throw new WeightFileException(source + ": tensor '" + name + "' has dtype "
                        + m.get("dtype") + "; supported: float32, int32, bool (string and complex64 are not)");
            };
            if (m.get("quantization") == null) {
                return new Entry(name, shape, dtype, 1, 0);
            }
            Map<?, ?> q = map(m.get("quantization"), "quantization of '" + name + "'", source);
            return switch (q.get("dtype") instanceof String s ? s : "") {
                case "float16" -> new Entry(name, shape, ElementType.F16, 1, 0);
                case "uint8" -> new Entry(name, shape, ElementType.U8, number(q, "scale", name, source), number(q, "min", name, source));
                case "uint16" -> new Entry(name, shape, ElementType.U16, number(q, "scale", name, source), number(q, "min", name, source));
                default -> throw new WeightFileException(source + ": tensor '" + name
                        + "' has quantization dtype " + q.get("dtype") + "; supported: uint8, uint16, float16");
            };
        }

        StoredTensor decode(ByteBuffer bytes) {
            double[] values = new double[Math.toIntExact(shape.numel())];
            for (int i = 0; i < values.length; i++) {
                // io_utils.ts dequantises as v * scale + min, in that order
                values[i] = stored.read(bytes, i) * scale + min;
            }
            ElementType type = stored == ElementType.U8 || stored == ElementType.U16 || stored == ElementType.F16
                    ? ElementType.F32 : stored;
            return new StoredTensor(type, shape, values);
        }
    }

    private static Shape shape(Object value, String name, String source) throws WeightFileException {
        if (!(value instanceof List<?> dims) || dims.size() > MAX_RANK) {
            throw new WeightFileException(source + ": tensor '" + name + "' needs a 'shape' list of at most "
                    + MAX_RANK + " extents, got " + value);
        }
        int[] out = new int[dims.size()];
        long numel = 1;
        for (int i = 0; i < out.length; i++) {
            if (!(dims.get(i) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE) {
                throw new WeightFileException(source + ": tensor '" + name + "' has bad extent " + dims.get(i));
            }
            out[i] = (int) (long) d;
            numel *= d;
            if (numel > Integer.MAX_VALUE) {
                throw new WeightFileException(source + ": tensor '" + name + "' of shape " + dims + " is too large");
            }
        }
        return new Shape(out);
    }

    private static double number(Map<?, ?> q, String key, String name, String source) throws WeightFileException {
        if (!(q.get(key) instanceof Number n)) {
            throw new WeightFileException(source + ": quantization of '" + name + "' lacks a numeric '" + key + "'");
        }
        return n.doubleValue();
    }

    private static byte[] concat(List<?> paths, Function<String, byte[]> shard, String source) throws WeightFileException {
        long total = 0;
        byte[][] parts = new byte[paths.size()][];
        for (int i = 0; i < parts.length; i++) {
            if (!(paths.get(i) instanceof String path) || (parts[i] = shard.apply(path)) == null) {
                throw new WeightFileException(source + ": shard " + paths.get(i) + " is missing");
            }
            total += parts[i].length;
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new WeightFileException(source + ": shards of one group exceed 2 GiB");
        }
        byte[] out = new byte[(int) total];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static List<String> shardPaths(Object manifest, String source) throws WeightFileException {
        return list(manifest, "manifest", source).stream()
                .map(g -> g instanceof Map<?, ?> m ? m.get("paths") : null)
                .filter(p -> p instanceof List<?>)
                .flatMap(p -> ((List<?>) p).stream())
                .filter(p -> p instanceof String)
                .map(String.class::cast)
                .toList();
    }

    private static List<?> list(Object value, String what, String source) throws WeightFileException {
        if (!(value instanceof List<?> l)) {
            throw new WeightFileException(source + ": expected a JSON array for " + what + ", got " + describe(value));
        }
        return l;
    }

    private static Map<?, ?> map(Object value, String what, String source) throws WeightFileException {
        if (!(value instanceof Map<?, ?> m)) {
            throw new WeightFileException(source + ": expected a JSON object for " + what + ", got " + describe(value));
        }
        return m;
    }

    private static String describe(Object value) {
        return value == null ? "nothing" : value.getClass().getSimpleName();
    }

    private static Object parse(byte[] json, String source) throws WeightFileException {
        try {
            return Json.parse(StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(json)).toString());
        } catch (CharacterCodingException e) {
            throw new WeightFileException(source + ": manifest is not UTF-8", e);
        } catch (IllegalArgumentException e) {
            throw new WeightFileException(source + ": manifest is not JSON: " + e.getMessage(), e);
        }
    }
}
