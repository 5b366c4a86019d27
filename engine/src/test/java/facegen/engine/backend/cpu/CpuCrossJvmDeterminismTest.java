package facegen.engine.backend.cpu;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * "Same seed, same backend, same result" across JVM runs: {@link CpuDeterminismWorkload} runs in child JVMs that
 * execute the kernels interpreted ({@code -Xint}), by C1 only, compiled up front ({@code -Xcomp}) and by C2 after
 * a warm-up (where the hashes of the first, interpreted, rounds and of the compiled ones must agree too), and
 * every one must print the same single hash of the raw result bits.
 */
class CpuCrossJvmDeterminismTest {

    @Test
    void resultsAreTheSameBitsInterpretedAndCompiledByC1AndC2() throws Exception {
        Map<String, List<String>> modes = new LinkedHashMap<>();
        modes.put("interpreter", List.of("-Xint", "1"));
        modes.put("C1 only", List.of("-XX:TieredStopAtLevel=1", "3"));
        modes.put("C2 after warm-up", List.of("-XX:-BackgroundCompilation", "60"));
        modes.put("compile first", List.of("-Xcomp", "1"));
        Map<String, String> hashes = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> mode : modes.entrySet()) {
            String line = runChild(mode.getValue().get(0), mode.getValue().get(1));
            assertThat(line).as(mode.getKey() + ": one hash over all rounds").matches("hashes [0-9a-f]+");
            hashes.put(mode.getKey(), line);
            System.out.println("cross-JVM " + mode.getKey() + ": " + line);
        }
        assertThat(hashes.values().stream().distinct()).as("hashes by JIT mode: " + hashes).hasSize(1);
    }

    /** Runs the workload for {@code rounds} rounds in a fresh JVM with {@code flag}; returns its last output line. */
    private static String runChild(String flag, String rounds) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>(List.of(java, flag, "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), CpuDeterminismWorkload.class.getName(), rounds));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        // read before waiting, so a full pipe cannot block the child
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!child.waitFor(120, TimeUnit.SECONDS) || child.exitValue() != 0) {
            child.destroyForcibly();
            fail(String.join(" ", command) + " failed:\n" + output);
        }
        String[] lines = output.strip().split("\n");
        return lines[lines.length - 1].strip();
    }
}
