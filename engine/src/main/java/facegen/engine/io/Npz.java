package facegen.engine.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * NumPy's {@code .npz} archives ({@code np.savez}, {@code np.savez_compressed}): a ZIP file of {@code .npy}
 * entries, each named after its array. Entries that are not {@code .npy} files are skipped, as NumPy's loader
 * hands them back as raw bytes.
 */
public final class Npz {

    private Npz() {}

    /** Reads every array of {@code file}, by name (the entry name without {@code .npy}), in archive order. */
    public static TensorFile read(Path file) throws IOException {
        return decode(Files.readAllBytes(file), file.toString());
    }

    /** Writes {@code arrays} as an {@code .npz} ({@code np.savez}: a ZIP of stored {@code NAME.npy} entries). */
    public static void write(Path file, Map<String, StoredTensor> arrays) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            for (Map.Entry<String, StoredTensor> e : arrays.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
                zip.write(Npy.encode(e.getValue()));
                zip.closeEntry();
            }
        }
    }

    /**
     * Decodes the bytes of an {@code .npz} archive.
     *
     * @param source names the file in error messages
     * @throws WeightFileException for a malformed archive or array
     */
    public static TensorFile decode(byte[] bytes, String source) throws WeightFileException {
        ZipArchive zip = ZipArchive.open(bytes, source);
        Map<String, StoredTensor> arrays = new LinkedHashMap<>();
        for (String name : zip.names()) {
            if (name.endsWith(".npy")) {
                arrays.put(name.substring(0, name.length() - 4), Npy.decode(zip.read(name), source + "!" + name));
            }
        }
        return new TensorFile(Map.of(), arrays);
    }
}
