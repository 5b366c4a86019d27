package facegen.train;

import facegen.data.ProceduralFaces;
import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stopping a run and resuming it from its checkpoint continues the same curve bit for bit: the final checkpoint
 * (G, G_ema, D, Adam moments and steps, pl_mean, counters) and every row of stats.tsv and swd.tsv equal those
 * of a run that never stopped.
 */
class TrainingResumeTest {
    private static final ProceduralFaces FACES = new ProceduralFaces(16, 64, 9);

    private static void train(Path dir, Backend backend, long targetNimg) throws Exception {
        TrainingRun.open(dir, TinyRuns.config(), FACES, backend, TinyRuns.options()).run(targetNimg, new TrainingListener() {});
    }

    private static void assertSameRuns(Path straight, Path resumed, long steps) throws Exception {
        String last = String.format("checkpoint-%08d.safetensors", steps);
        TinyRuns.assertSameCheckpoint(straight.resolve(last), resumed.resolve(last));
        assertThat(TinyRuns.rowsWithoutTime(resumed.resolve("stats.tsv"))).hasSize((int) steps + 1)
                .containsExactlyElementsOf(TinyRuns.rowsWithoutTime(straight.resolve("stats.tsv")));
        assertThat(TinyRuns.rowsWithoutTime(resumed.resolve("swd.tsv")))
                .containsExactlyElementsOf(TinyRuns.rowsWithoutTime(straight.resolve("swd.tsv")));
        assertThat(TinyRuns.metadata(resumed.resolve(last))).containsEntry("step", Long.toString(steps));
    }

    /**
     * On the cpu backend, in one JVM after a warm-up run. (The cpu backend's exp, log and lane sums round
     * differently before and after the JIT compiles its kernels, so across JVMs only the reference backend is
     * bit-exact; see the kill test.)
     */
    @Test
    void resumedRunContinuesTheStraightRunBitForBitOnCpu(@TempDir Path dir) throws Exception {
        try (Backend cpu = Backends.create("cpu")) {
            train(dir.resolve("warm-up"), cpu, 32);
            train(dir.resolve("straight"), cpu, 32);
            train(dir.resolve("stopped"), cpu, 16);                      // 4 steps, then the process "dies"
            train(dir.resolve("stopped"), cpu, 32);                      // a new run object resumes from step 4
            assertSameRuns(dir.resolve("straight"), dir.resolve("stopped"), 8);
        }
    }

    @Test
    void resumedRunContinuesTheStraightRunBitForBitOnReference(@TempDir Path dir) throws Exception {
        try (Backend reference = Backends.create("reference")) {
            train(dir.resolve("straight"), reference, 24);
            train(dir.resolve("stopped"), reference, 8);
            train(dir.resolve("stopped"), reference, 24);
            assertSameRuns(dir.resolve("straight"), dir.resolve("stopped"), 6);
        }
    }
}
