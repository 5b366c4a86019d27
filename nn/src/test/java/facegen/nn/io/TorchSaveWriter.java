package facegen.nn.io;

import facegen.engine.io.ElementType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes what {@code torch.save(obj, path)} writes for nested ordered dicts of float tensors, opcode for opcode
 * as CPython's pickle protocol 2 does with torch's persistent ids: OrderedDict by REDUCE + SETITEMS + BUILD of
 * its {@code _metadata}, each tensor {@code _rebuild_tensor_v2((storage pid), offset, size, stride, False,
 * OrderedDict())}, memoised globals, storages as {@code archive/data/KEY}. Tests use it to make state dicts
 * in PyTorch's layout without Python.
 */
final class TorchSaveWriter {

    /** A tensor to save: values of a storage, viewed with offset, size and stride (row-major when stride is null). */
    record SavedTensor(ElementType type, float[] storage, int offset, int[] size, int[] stride, String storageKey) {}

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Map<String, Integer> memoizedGlobals = new HashMap<>();
    private final Map<String, SavedTensor> storages = new LinkedHashMap<>();
    private int memo;

    private TorchSaveWriter() {}

    /** The bytes of a torch.save ZIP file of {@code root} (values: SavedTensor, nested Map, Long, Double, String). */
    static byte[] write(Map<String, Object> root) throws IOException {
        TorchSaveWriter w = new TorchSaveWriter();
        w.out.write(0x80);
        w.out.write(2);
        w.dict(root);
        w.out.write('.');
        return w.zip();
    }

    /** A contiguous float32 tensor with its own storage. */
    static SavedTensor contiguous(float[] values, int... size) {
        return new SavedTensor(ElementType.F32, values, 0, size, null, null);
    }

    private void dict(Map<String, Object> map) throws IOException {
        global("collections", "OrderedDict");
        out.write(')');
        out.write('R');
        put();
        if (!map.isEmpty()) {
            out.write('(');
            for (Map.Entry<String, Object> e : map.entrySet()) {
                unicode(e.getKey());
                value(e.getValue());
            }
            out.write('u');
        }
        // state: {'_metadata': OrderedDict([('', {'version': 1})])}, as a module's state_dict carries
        out.write('}');
        put();
        unicode("_metadata");
        global("collections", "OrderedDict");
        out.write(')');
        out.write('R');
        put();
        unicode("");
        out.write('}');
        put();
        unicode("version");
        out.write('K');
        out.write(1);
        out.write('s');
        out.write('s');
        out.write('s');
        out.write('b');
    }

    @SuppressWarnings("unchecked")
    private void value(Object v) throws IOException {
        switch (v) {
            case SavedTensor t -> tensor(t);
            case Map<?, ?> m -> dict((Map<String, Object>) m);
            case Long l -> {
                out.write('J');
                out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) (long) l).array());
            }
            case Double d -> {
                out.write('G');
                out.write(ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putDouble(d).array());
            }
            case String s -> unicode(s);
            default -> throw new IllegalArgumentException("cannot save " + v.getClass());
        }
    }

    private void tensor(SavedTensor t) throws IOException {
        String key = t.storageKey() != null ? t.storageKey() : Integer.toString(storages.size());
        storages.putIfAbsent(key, t);
        global("torch._utils", "_rebuild_tensor_v2");
        out.write('(');
        // persistent id ('storage', torch.FloatStorage, key, 'cpu', numel)
        out.write('(');
        unicode("storage");
        global("torch", storageClass(t.type()));
        unicode(key);
        unicode("cpu");
        integer(t.storage().length);
        out.write('t');
        put();
        out.write('Q');
        integer(t.offset());
        tuple(t.size());
        tuple(t.stride() != null ? t.stride() : rowMajorStrides(t.size()));
        out.write(0x89);                                                 // requires_grad False
        global("collections", "OrderedDict");
        out.write(')');
        out.write('R');
        put();
        out.write('t');
        put();
        out.write('R');
        put();
    }

    private static String storageClass(ElementType type) {
        return switch (type) {
            case F32 -> "FloatStorage";
            case F64 -> "DoubleStorage";
            default -> throw new IllegalArgumentException(type.toString());
        };
    }

    private static int[] rowMajorStrides(int[] size) {
        int[] s = new int[size.length];
        int acc = 1;
        for (int i = size.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= size[i];
        }
        return s;
    }

    private void tuple(int[] items) throws IOException {
        if (items.length == 0) {
            out.write(')');
            return;
        }
        if (items.length <= 3) {
            for (int i : items) {
                integer(i);
            }
            out.write(0x84 + items.length);
        } else {
            out.write('(');
            for (int i : items) {
                integer(i);
            }
            out.write('t');
        }
        put();
    }

    private void integer(int v) throws IOException {
        if (v >= 0 && v < 256) {
            out.write('K');
            out.write(v);
        } else if (v >= 0 && v < 65536) {
            out.write('M');
            out.write(v & 0xff);
            out.write(v >> 8);
        } else {
            out.write('J');
            out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
        }
    }

    private void unicode(String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write('X');
        out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
        out.write(b);
        put();
    }

    private void global(String module, String name) throws IOException {
        Integer at = memoizedGlobals.get(module + "." + name);
        if (at != null) {
            out.write('h');
            out.write(at);
            return;
        }
        out.write('c');
        out.write((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
        memoizedGlobals.put(module + "." + name, memo);
        put();
    }

    /** BINPUT of the top of the stack (CPython memoises nearly everything; LONG_BINPUT past 255). */
    private void put() throws IOException {
        if (memo < 256) {
            out.write('q');
            out.write(memo);
        } else {
            out.write('r');
            out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(memo).array());
        }
        memo++;
    }

    private byte[] zip() throws IOException {
        List<Map.Entry<String, byte[]>> entries = new ArrayList<>();
        entries.add(Map.entry("archive/data.pkl", out.toByteArray()));
        entries.add(Map.entry("archive/byteorder", "little".getBytes(StandardCharsets.US_ASCII)));
        for (Map.Entry<String, SavedTensor> e : storages.entrySet()) {
            float[] v = e.getValue().storage();
            ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            for (float f : v) {
                b.putFloat(f);
            }
            entries.add(Map.entry("archive/data/" + e.getKey(), b.array()));
        }
        entries.add(Map.entry("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII)));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries) {
                ZipEntry entry = new ZipEntry(e.getKey());
                entry.setMethod(ZipEntry.STORED);              // torch.save stores, uncompressed
                entry.setSize(e.getValue().length);
                CRC32 crc = new CRC32();
                crc.update(e.getValue());
                entry.setCrc(crc.getValue());
                zip.putNextEntry(entry);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }
}
