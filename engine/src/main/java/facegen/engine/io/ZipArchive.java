package facegen.engine.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A read-only ZIP archive in memory, found through its central directory (APPNOTE 6.3: end-of-central-directory
 * record, ZIP64 records and extra fields), with stored and deflated entries and CRC-32 checks: the container of
 * NumPy's {@code .npz} and of PyTorch's {@code torch.save} files. Every offset and size is checked against the
 * buffer, so a truncated or corrupt archive fails with a message naming what is wrong.
 */
public final class ZipArchive {
    private static final int EOCD = 0x06054b50;
    private static final int ZIP64_LOCATOR = 0x07064b50;
    private static final int ZIP64_EOCD = 0x06064b50;
    private static final int CENTRAL = 0x02014b50;
    private static final int LOCAL = 0x04034b50;
    private static final long MAX_ENTRY_BYTES = Integer.MAX_VALUE - 16;
    /** Deflate's largest expansion, about 1032:1 (a stored length of 258 per 2-bit code, roughly). */
    private static final long MAX_DEFLATE_RATIO = 1032;

    private final byte[] bytes;
    private final ByteBuffer b;
    private final String source;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    /** One central-directory record. */
    private record Entry(String name, int method, int flags, long crc, long compressedSize, long size, long localOffset) {}

    private ZipArchive(byte[] bytes, String source) throws WeightFileException {
        this.bytes = bytes;
        this.b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        this.source = source;
        readCentralDirectory();
    }

    /** Opens the archive in {@code bytes}; {@code source} names it in messages. */
    public static ZipArchive open(byte[] bytes, String source) throws WeightFileException {
        return new ZipArchive(bytes, source);
    }

    /** The entry names in central-directory order. */
    public Iterable<String> names() {
        return Collections.unmodifiableSet(entries.keySet());
    }

    /** True when an entry is called {@code name}. */
    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    /** The uncompressed, CRC-checked contents of entry {@code name}. */
    public byte[] read(String name) throws WeightFileException {
        Entry e = entries.get(name);
        if (e == null) {
            throw new WeightFileException(source + ": no entry '" + name + "' in the archive");
        }
        long local = e.localOffset();
        if (local > bytes.length - 30 || b.getInt((int) local) != LOCAL) {
            throw new WeightFileException(source + ": local header of '" + name + "' missing (corrupt or truncated archive)");
        }
        long dataStart = local + 30 + (b.getShort((int) local + 26) & 0xffff) + (b.getShort((int) local + 28) & 0xffff);
        if (e.compressedSize() > bytes.length - dataStart) {
            throw new WeightFileException(source + ": entry '" + name + "' runs past the end of the file (truncated)");
        }
        byte[] out;
        switch (e.method()) {
            case 0 -> {
                if (e.compressedSize() != e.size()) {
                    throw new WeightFileException(source + ": stored entry '" + name + "' has different compressed and plain sizes");
                }
                out = java.util.Arrays.copyOfRange(bytes, (int) dataStart, (int) (dataStart + e.size()));
            }
            case 8 -> out = inflate(e, (int) dataStart);
            default -> throw new WeightFileException(source + ": entry '" + name + "' uses compression method " + e.method()
                    + " (only stored and deflated are supported)");
        }
        CRC32 crc = new CRC32();
        crc.update(out);
        if (crc.getValue() != e.crc()) {
            throw new WeightFileException(source + ": entry '" + name + "' fails its CRC-32 check (corrupt file)");
        }
        return out;
    }

    private byte[] inflate(Entry e, int dataStart) throws WeightFileException {
        if (e.size() > e.compressedSize() * MAX_DEFLATE_RATIO + 1024) {
            throw new WeightFileException(source + ": entry '" + e.name() + "' claims " + e.size() + " bytes from "
                    + e.compressedSize() + " compressed ones, more than deflate can encode (corrupt file)");
        }
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(bytes, dataStart, (int) e.compressedSize());
            byte[] out = new byte[(int) e.size()];
            int n = 0;
            while (n < out.length) {
                int got = inflater.inflate(out, n, out.length - n);
                if (got == 0) {
                    break;
                }
                n += got;
            }
            boolean ended = inflater.finished() || (inflater.inflate(new byte[1]) == 0 && inflater.finished());
            if (n != out.length || !ended) {
                throw new WeightFileException(source + ": entry '" + e.name() + "' does not inflate to its declared "
                        + e.size() + " bytes (corrupt or truncated file)");
            }
            return out;
        } catch (DataFormatException ex) {
            throw new WeightFileException(source + ": entry '" + e.name() + "' is not valid deflate data (corrupt file)", ex);
        } finally {
            inflater.end();
        }
    }

    private void readCentralDirectory() throws WeightFileException {
        int eocd = -1;
        for (int i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
            if (b.getInt(i) == EOCD) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            throw new WeightFileException(source + ": not a ZIP archive (no end-of-central-directory record; truncated?)");
        }
        long count = b.getShort(eocd + 10) & 0xffff;
        long cdSize = b.getInt(eocd + 12) & 0xffffffffL;
        long cdOffset = b.getInt(eocd + 16) & 0xffffffffL;
        if (count == 0xffff || cdSize == 0xffffffffL || cdOffset == 0xffffffffL) {
            int locator = eocd - 20;
            if (locator < 0 || b.getInt(locator) != ZIP64_LOCATOR) {
                throw new WeightFileException(source + ": ZIP64 locator missing (corrupt archive)");
            }
            long z = b.getLong(locator + 8);
            if (z < 0 || z > bytes.length - 56 || b.getInt((int) z) != ZIP64_EOCD) {
                throw new WeightFileException(source + ": ZIP64 end-of-central-directory record missing (corrupt archive)");
            }
            count = b.getLong((int) z + 32);
            cdSize = b.getLong((int) z + 40);
            cdOffset = b.getLong((int) z + 48);
        }
        if (cdOffset < 0 || cdSize < 0 || cdOffset > bytes.length || cdSize > bytes.length - cdOffset || count < 0
                || count > cdSize / 46) {
            throw new WeightFileException(source + ": central directory (" + count + " entries, " + cdSize + " bytes at "
                    + cdOffset + ") does not fit the " + bytes.length + "-byte file (truncated or corrupt)");
        }
        int p = (int) cdOffset;
        int end = (int) (cdOffset + cdSize);
        for (long i = 0; i < count; i++) {
            if (p > end - 46 || b.getInt(p) != CENTRAL) {
                throw new WeightFileException(source + ": central directory entry " + i + " is corrupt");
            }
            int flags = b.getShort(p + 8) & 0xffff;
            int method = b.getShort(p + 10) & 0xffff;
            long crc = b.getInt(p + 16) & 0xffffffffL;
            long compressed = b.getInt(p + 20) & 0xffffffffL;
            long size = b.getInt(p + 24) & 0xffffffffL;
            int nameLength = b.getShort(p + 28) & 0xffff;
            int extraLength = b.getShort(p + 30) & 0xffff;
            int commentLength = b.getShort(p + 32) & 0xffff;
            long local = b.getInt(p + 42) & 0xffffffffL;
            if ((long) p + 46 + nameLength + extraLength + commentLength > end) {
                throw new WeightFileException(source + ": central directory entry " + i + " runs past the directory");
            }
            String name = new String(bytes, p + 46, nameLength, (flags & 0x800) != 0 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            // ZIP64 extra field: the 64-bit values of the fields saturated at 0xffffffff, in this order.
            int x = p + 46 + nameLength;
            int xEnd = x + extraLength;
            while (x + 4 <= xEnd) {
                int id = b.getShort(x) & 0xffff;
                int len = b.getShort(x + 2) & 0xffff;
                if (x + 4 + len > xEnd) {
                    break;
                }
                if (id == 0x0001) {
                    int q = x + 4;
                    if (size == 0xffffffffL && q + 8 <= x + 4 + len) {
                        size = b.getLong(q);
                        q += 8;
                    }
                    if (compressed == 0xffffffffL && q + 8 <= x + 4 + len) {
                        compressed = b.getLong(q);
                        q += 8;
                    }
                    if (local == 0xffffffffL && q + 8 <= x + 4 + len) {
                        local = b.getLong(q);
                    }
                }
                x += 4 + len;
            }
            if ((flags & 1) != 0) {
                throw new WeightFileException(source + ": entry '" + name + "' is encrypted");
            }
            if (size < 0 || size > MAX_ENTRY_BYTES || compressed < 0 || local < 0) {
                throw new WeightFileException(source + ": entry '" + name + "' declares " + size + " bytes (corrupt or over 2 GiB)");
            }
            entries.putIfAbsent(name, new Entry(name, method, flags, crc, compressed, size, local));
            p += 46 + nameLength + extraLength + commentLength;
        }
    }
}
