package facegen.nn.tfjs;

import com.code_intelligence.jazzer.junit.FuzzTest;
import facegen.engine.io.WeightFileException;

import java.util.Arrays;

/**
 * The TF.js readers on arbitrary bytes: they decode them or report a {@link WeightFileException}; anything else
 * is a finding. The input up to its first zero byte is the JSON (weights manifest or graph model), the rest is
 * the shard every path names. Seeds in {@code TfjsFuzzTestInputs/}; fuzz for real with
 * {@code JAZZER_FUZZ=1 ./mvnw -pl nn test -Dtest=TfjsFuzzTest#manifest} (or {@code #graphModel}).
 */
class TfjsFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void manifest(byte[] data) {
        byte[][] parts = split(data);
        try {
            TfjsWeights.decode(parts[0], path -> parts[1], "fuzz");
        } catch (WeightFileException expected) {
            // malformed input, reported
        }
    }

    @FuzzTest(maxDuration = "60s")
    void graphModel(byte[] data) {
        byte[][] parts = split(data);
        try {
            TfjsGraphModel.decode(parts[0], path -> parts[1], "fuzz");
        } catch (WeightFileException expected) {
            // malformed input, reported
        }
    }

    /** {JSON before the first zero byte, shard after it}. */
    private static byte[][] split(byte[] data) {
        int at = 0;
        while (at < data.length && data[at] != 0) {
            at++;
        }
        return new byte[][] {Arrays.copyOf(data, at), Arrays.copyOfRange(data, Math.min(at + 1, data.length), data.length)};
    }
}
