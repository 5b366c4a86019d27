package facegen.train;

import facegen.data.ProceduralFaces;
import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real kill: {@code facegen stylegan train} runs in its own JVM, gets SIGKILL once a mid-run checkpoint
 * exists, and is started again with the same command; it resumes from the newest checkpoint and ends with the
 * same state and curves as the same command run without interruption, bit for bit, on the reference and the cpu
 * backends (both give the same bits in every JVM run).
 */
class KillAndResumeTest {

    private static List<String> trainCommand(String backend, Path out) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xss16m",
                "-cp", System.getProperty("java.class.path"), "facegen.cli.Main"));
        cmd.addAll(List.of("stylegan", "train", "--backend", backend, "--data", "builtin", "--builtin-count", "64",
                "--res", "16", "--latent", "16", "--channel-max", "8", "--batch", "4", "--kimg", "0.032", "--snap", "0.008",
                "--metric-images", "8", "--keep", "100", "--out", out.toString()));
        return cmd;
    }

    private static Process start(String backend, Path out, Path log) throws Exception {
        return new ProcessBuilder(trainCommand(backend, out)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    void killedTrainingResumesToTheSameStateAsAnUninterruptedOne(String backend, @TempDir Path dir) throws Exception {
        Process killed = start(backend, dir.resolve("killed"), dir.resolve("killed-1.log"));
        Path mid = dir.resolve("killed").resolve("checkpoint-00000004.safetensors");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (!Files.exists(mid) && killed.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(mid).as(Files.readString(dir.resolve("killed-1.log"))).exists();
        killed.destroyForcibly().waitFor();                             // SIGKILL: no shutdown hooks, maybe mid-write

        Process again = start(backend, dir.resolve("killed"), dir.resolve("killed-2.log"));
        Process straight = start(backend, dir.resolve("straight"), dir.resolve("straight.log"));
        assertThat(again.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(straight.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(again.exitValue()).as(Files.readString(dir.resolve("killed-2.log"))).isZero();
        assertThat(straight.exitValue()).as(Files.readString(dir.resolve("straight.log"))).isZero();
        assertThat(Files.readString(dir.resolve("killed-2.log"))).contains("resuming");

        TinyRuns.assertSameCheckpoint(dir.resolve("straight").resolve("checkpoint-00000008.safetensors"),
                dir.resolve("killed").resolve("checkpoint-00000008.safetensors"));
        assertThat(TinyRuns.rowsWithoutTime(dir.resolve("killed").resolve("stats.tsv")))
                .containsExactlyElementsOf(TinyRuns.rowsWithoutTime(dir.resolve("straight").resolve("stats.tsv")));
        assertThat(TinyRuns.rowsWithoutTime(dir.resolve("killed").resolve("swd.tsv")))
                .containsExactlyElementsOf(TinyRuns.rowsWithoutTime(dir.resolve("straight").resolve("swd.tsv")));
        try (var files = Files.list(dir.resolve("killed"))) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }
}
