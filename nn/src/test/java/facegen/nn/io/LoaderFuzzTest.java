package facegen.nn.io;

import facegen.engine.io.Npy;
import facegen.engine.io.Npz;
import facegen.engine.io.WeightFileException;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Every loader on arbitrary bytes: it either decodes them or reports a {@link WeightFileException}; any other
 * exception or error (index out of bounds, negative array size, out of memory, stack overflow) is a finding.
 * Under surefire these run the seeds in {@code LoaderFuzzTestInputs/}; {@code JAZZER_FUZZ=1} fuzzes one for real:
 * {@code JAZZER_FUZZ=1 ./mvnw -pl nn test -Dtest=LoaderFuzzTest#torchStateDict}.
 */
class LoaderFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void safetensors(byte[] data) {
        try {
            Safetensors.decode(data, "fuzz");
        } catch (WeightFileException expected) {
            // malformed input, reported
        }
    }

    @FuzzTest(maxDuration = "60s")
    void npy(byte[] data) {
        try {
            Npy.decode(data, "fuzz");
        } catch (WeightFileException expected) {
            // malformed input, reported
        }
    }

    @FuzzTest(maxDuration = "60s")
    void npz(byte[] data) {
        try {
            Npz.decode(data, "fuzz");
        } catch (WeightFileException expected) {
            // malformed input, reported
        }
    }

    @FuzzTest(maxDuration = "60s")
    void torchStateDict(byte[] data) {
        try {
            TorchStateDict.decode(data, "fuzz");
        } catch (WeightFileException expected) {
            // malformed input, reported
        }
    }

    /**
     * The pickle reader behind {@link #torchStateDict}, reached directly: the input becomes the data.pkl of a
     * well-formed archive (valid CRCs) that also holds two storages, so mutations explore opcodes rather than
     * ZIP checksums.
     */
    @FuzzTest(maxDuration = "60s")
    void torchPickle(byte[] pickle) {
        try {
            TorchStateDict.decode(archive(pickle), "fuzz");
        } catch (WeightFileException expected) {
            // malformed input, reported
        }
    }

    private static byte[] archive(byte[] pickle) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("archive/data.pkl"));
            zip.write(pickle);
            zip.putNextEntry(new ZipEntry("archive/data/0"));
            zip.write(new byte[24]);
            zip.putNextEntry(new ZipEntry("archive/data/1"));
            zip.write(new byte[12]);
            zip.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
