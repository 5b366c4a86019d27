package facegen.nn.io;

import facegen.engine.io.ElementType;
import facegen.engine.io.StoredTensor;
import facegen.engine.io.TensorFile;
import facegen.engine.io.WeightFileException;
import facegen.engine.io.ZipArchive;
import facegen.engine.tensor.Shape;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads what {@code torch.save} writes (the ZIP format, PyTorch 1.6 and later) when the object is a state dict or
 * nested dicts of them (rosinality's {@code {"g": ..., "d": ..., "g_ema": ...}}), without Python and without
 * running code:
 * <pre>
 *   NAME/data.pkl     the pickled object; each tensor is torch._utils._rebuild_tensor_v2(storage, offset, size,
 *                     stride, ...) with storage a persistent id ('storage', torch.FloatStorage, key, device, numel)
 *   NAME/data/KEY     the raw bytes of storage KEY
 *   NAME/byteorder    "little" (assumed when absent) or "big"
 * </pre>
 * The pickle may name only {@code collections.OrderedDict}, the tensor and parameter rebuild functions of
 * {@code torch._utils} and the typed storage classes; any other global (an {@code argparse.Namespace}, a model
 * class) is refused with its name ({@link Pickle}). Nested dict keys join with dots ({@code g_ema.style.1.weight});
 * int, float, bool and str values land in the metadata under the same dotted names; other values are dropped.
 */
public final class TorchStateDict {
    private static final int MAX_NESTING = 32;

    private TorchStateDict() {}

    /** Reads {@code file}. */
    public static TensorFile read(Path file) throws IOException {
        return decode(Files.readAllBytes(file), file.toString());
    }

    /**
     * Decodes the bytes of a {@code torch.save} ZIP file.
     *
     * @param source names the file in error messages
     * @throws WeightFileException for a malformed file, a refused global, or a legacy (pre-1.6) pickle file
     */
    public static TensorFile decode(byte[] bytes, String source) throws WeightFileException {
        if (bytes.length >= 2 && (bytes[0] & 0xff) == 0x80 && bytes[1] <= 5) {
            throw new WeightFileException(source + ": a legacy (pre-1.6, non-ZIP) torch.save file; re-save it with a current"
                    + " PyTorch (torch.save(torch.load(path), new_path)) to read it here");
        }
        ZipArchive zip = ZipArchive.open(bytes, source);
        String pickleName = null;
        for (String name : zip.names()) {
            if (name.endsWith("/data.pkl") && name.indexOf('/') == name.length() - "/data.pkl".length()) {
                if (pickleName != null) {
                    throw new WeightFileException(source + ": two data.pkl entries (" + pickleName + ", " + name + ")");
                }
                pickleName = name;
            }
        }
        if (pickleName == null) {
            throw new WeightFileException(source + ": no NAME/data.pkl entry: not a torch.save ZIP file");
        }
        String prefix = pickleName.substring(0, pickleName.length() - "data.pkl".length());
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        if (zip.contains(prefix + "byteorder")) {
            String bo = new String(zip.read(prefix + "byteorder"), StandardCharsets.US_ASCII).strip();
            order = switch (bo) {
                case "little" -> ByteOrder.LITTLE_ENDIAN;
                case "big" -> ByteOrder.BIG_ENDIAN;
                default -> throw new WeightFileException(source + ": unknown byteorder '" + bo + "'");
            };
        }
        Storages storages = new Storages(zip, prefix, order, source);
        Object root = Pickle.load(zip.read(pickleName), source + "!" + pickleName, storages.globals(), storages::load);
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, StoredTensor> tensors = new LinkedHashMap<>();
        flatten("", root, tensors, metadata, 0, new IdentityHashMap<>(), source);
        return new TensorFile(metadata, tensors);
    }

    private static void flatten(String name, Object value, Map<String, StoredTensor> tensors, Map<String, String> metadata,
                                int depth, Map<Object, Boolean> visiting, String source) throws WeightFileException {
        if (depth > MAX_NESTING) {
            throw new WeightFileException(source + ": containers nested deeper than " + MAX_NESTING + " at '" + name + "'");
        }
        switch (value) {
            case StoredTensor t -> tensors.put(name, t);
            case String s -> metadata.put(name, s);
            case Long _, Double _, Boolean _, BigInteger _ -> metadata.put(name, value.toString());
            case Map<?, ?> map -> {
                if (visiting.put(map, Boolean.TRUE) != null) {
                    throw new WeightFileException(source + ": '" + name + "' contains itself");
                }
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    flatten(join(name, String.valueOf(e.getKey())), e.getValue(), tensors, metadata, depth + 1, visiting, source);
                }
                visiting.remove(map);
            }
            case Pickle.Tuple t -> flattenList(name, t.items(), tensors, metadata, depth, visiting, source);
            case List<?> list -> flattenList(name, list, tensors, metadata, depth, visiting, source);
            case null, default -> { }                                    // None, bytes, sets: nothing to load
        }
    }

    private static void flattenList(String name, List<?> list, Map<String, StoredTensor> tensors, Map<String, String> metadata,
                                    int depth, Map<Object, Boolean> visiting, String source) throws WeightFileException {
        if (visiting.put(list, Boolean.TRUE) != null) {
            throw new WeightFileException(source + ": '" + name + "' contains itself");
        }
        for (int i = 0; i < list.size(); i++) {
            flatten(join(name, Integer.toString(i)), list.get(i), tensors, metadata, depth + 1, visiting, source);
        }
        visiting.remove(list);
    }

    private static String join(String prefix, String key) {
        return prefix.isEmpty() ? key : prefix + "." + key;
    }

    /** A storage named by a persistent id: its element type, its ZIP entry and element count. */
    private record StorageRef(ElementType type, String key, long numel) {}

    /** Loads storages on demand (a storage shared by several tensors is read once) and rebuilds tensors. */
    private static final class Storages {
        private final ZipArchive zip;
        private final String prefix;
        private final ByteOrder order;
        private final String source;
        private final Map<String, ByteBuffer> loaded = new HashMap<>();

        Storages(ZipArchive zip, String prefix, ByteOrder order, String source) {
            this.zip = zip;
            this.prefix = prefix;
            this.order = order;
            this.source = source;
        }

        /** The globals a state dict pickle may name. */
        Map<Pickle.Global, Object> globals() {
            Map<Pickle.Global, Object> g = new HashMap<>();
            g.put(new Pickle.Global("collections", "OrderedDict"), (Pickle.Callable) args -> new LinkedHashMap<>());
            g.put(new Pickle.Global("torch._utils", "_rebuild_tensor_v2"), (Pickle.Callable) this::rebuildTensor);
            g.put(new Pickle.Global("torch._utils", "_rebuild_tensor"), (Pickle.Callable) this::rebuildTensor);
            g.put(new Pickle.Global("torch._utils", "_rebuild_parameter"), (Pickle.Callable) this::rebuildParameter);
            for (ElementType t : ElementType.values()) {
                for (String className : Set.of("FloatStorage", "DoubleStorage", "HalfStorage", "BFloat16Storage",
                        "LongStorage", "IntStorage", "ShortStorage", "CharStorage", "ByteStorage", "BoolStorage")) {
                    if (ElementType.fromTorchStorage(className) == t) {
                        g.put(new Pickle.Global("torch", className), t);
                    }
                }
            }
            return g;
        }

        /** ('storage', storage_type, key, location, numel) to a {@link StorageRef}. */
        Object load(Object pid) throws WeightFileException {
            if (!(pid instanceof Pickle.Tuple t) || t.items().size() != 5 || !"storage".equals(t.items().get(0))
                    || !(t.items().get(1) instanceof ElementType type) || !(t.items().get(2) instanceof String key)
                    || !(t.items().get(4) instanceof Long numel) || numel < 0) {
                throw new WeightFileException(source + ": unsupported persistent id (expected ('storage', type, key, device, numel))");
            }
            return new StorageRef(type, key, numel);
        }

        /** _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]). */
        private Object rebuildTensor(Pickle.Tuple args) throws WeightFileException {
            List<Object> a = args.items();
            if (a.size() < 4 || !(a.get(0) instanceof StorageRef storage) || !(a.get(1) instanceof Long offset)
                    || !(a.get(2) instanceof Pickle.Tuple size) || !(a.get(3) instanceof Pickle.Tuple stride)
                    || size.items().size() != stride.items().size()) {
                throw new WeightFileException(source + ": _rebuild_tensor_v2 with unexpected arguments");
            }
            int rank = size.items().size();
            int[] dims = new int[rank];
            long[] strides = new long[rank];
            long numel = 1;
            long lastIndex = offset;
            for (int i = 0; i < rank; i++) {
                if (!(size.items().get(i) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE
                        || !(stride.items().get(i) instanceof Long s) || s < 0 || s > Integer.MAX_VALUE) {
                    throw new WeightFileException(source + ": tensor size or stride out of range");
                }
                dims[i] = (int) (long) d;
                strides[i] = s;
                numel *= d;
                if (numel > Integer.MAX_VALUE - 16) {
                    throw new WeightFileException(source + ": tensor with more than 2^31 elements");
                }
                lastIndex += (d - 1) * s;
            }
            if (offset < 0 || (numel > 0 && lastIndex >= storage.numel())) {
                throw new WeightFileException(source + ": tensor of size " + new Shape(dims) + " at offset " + offset
                        + " reaches past its storage '" + storage.key() + "' of " + storage.numel() + " elements");
            }
            ByteBuffer data = storageBytes(storage);
            double[] values = new double[(int) numel];
            int[] index = new int[rank];
            for (int n = 0; n < values.length; n++) {
                long at = offset;
                for (int i = 0; i < rank; i++) {
                    at += index[i] * strides[i];
                }
                values[n] = storage.type().read(data, (int) at);
                for (int i = rank - 1; i >= 0 && ++index[i] == dims[i]; i--) {
                    index[i] = 0;
                }
            }
            return new StoredTensor(storage.type(), new Shape(dims), values);
        }

        /** _rebuild_parameter(data, requires_grad, backward_hooks): the data. */
        private Object rebuildParameter(Pickle.Tuple args) throws WeightFileException {
            if (args.items().isEmpty() || !(args.items().getFirst() instanceof StoredTensor t)) {
                throw new WeightFileException(source + ": _rebuild_parameter without a tensor");
            }
            return t;
        }

        private ByteBuffer storageBytes(StorageRef ref) throws WeightFileException {
            ByteBuffer cached = loaded.get(ref.key());
            if (cached == null) {
                String entry = prefix + "data/" + ref.key();
                if (!zip.contains(entry)) {
                    throw new WeightFileException(source + ": storage '" + ref.key() + "' has no entry " + entry + " (truncated file?)");
                }
                byte[] raw = zip.read(entry);
                if (raw.length != ref.numel() * ref.type().bytes()) {
                    throw new WeightFileException(source + ": storage '" + ref.key() + "' holds " + raw.length + " bytes, "
                            + ref.numel() + " elements of " + ref.type() + " need " + ref.numel() * ref.type().bytes());
                }
                cached = ByteBuffer.wrap(raw).order(order);
                loaded.put(ref.key(), cached);
            }
            if (cached.capacity() != ref.numel() * ref.type().bytes()) {
                throw new WeightFileException(source + ": storage '" + ref.key() + "' is referenced with two different sizes or types");
            }
            return cached;
        }
    }
}
