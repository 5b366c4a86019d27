package facegen.nn.tfjs;

import com.code_intelligence.jazzer.junit.FuzzTest;
import facegen.nn.io.WeightFileException;

import java.util.Arrays;

/**
 * The TF.js manifest reader on arbitrary bytes: it decodes them or reports a {@link WeightFileException};
 * anything else is a finding. The input up to its first zero byte is the manifest JSON, the rest is the shard
 * every path names. Seeds in {@code TfjsFuzzTestInputs/}; fuzz for real with
 * {@code JAZZER_FUZZ=1 ./mvnw -pl nn test -Dtest=TfjsFuzzTest#manifest}.
 */
class TfjsFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void manifest(byte[] data) {
        int split = 0;
        while (split < data.length && data[split] != 0) {
            split++;
        }
        byte[] json = Arrays.copyOf(data, split);
        byte[] shard = Arrays.copyOfRange(data, Math.min(split + 1, data.length), data.length);
        try {
            TfjsWeights.decode(json, path -> shard, "fuzz");
        } catch (WeightFileException expected) {
            // malformed input, reported
        }
    }
}
