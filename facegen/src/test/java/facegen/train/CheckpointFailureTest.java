package facegen.train;

import facegen.data.ImageDataset;
import facegen.data.ProceduralFaces;
import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.engine.tensor.Tensor;
import facegen.nn.io.Safetensors;
import facegen.engine.io.TensorFile;
import facegen.engine.io.WeightFileException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Corrupt, truncated and mismatched checkpoints, and NaN losses, each stop with a message naming the culprit. */
class CheckpointFailureTest {
    private static final ProceduralFaces FACES = new ProceduralFaces(16, 64, 9);
    private static Backend cpu;

    @BeforeAll
    static void open() {
        cpu = Backends.create("cpu");
    }

    @AfterAll
    static void close() {
        cpu.close();
    }

    private static Path trainTwoSteps(Path dir) throws Exception {
        TrainingRun.open(dir, TinyRuns.config(), FACES, cpu, TinyRuns.options()).run(8, new TrainingListener() {});
        return dir.resolve("checkpoint-00000002.safetensors");
    }

    @Test
    void truncatedCheckpointStopsTheResumeNamingTheFile(@TempDir Path dir) throws Exception {
        Path ckpt = trainTwoSteps(dir);
        byte[] bytes = Files.readAllBytes(ckpt);
        Files.write(ckpt, Arrays.copyOf(bytes, bytes.length - 100));
        assertThatThrownBy(() -> TrainingRun.open(dir, TinyRuns.config(), FACES, cpu, TinyRuns.options()))
                .isInstanceOf(WeightFileException.class.getSuperclass())
                .hasMessageContaining("cannot resume from " + ckpt)
                .hasMessageContaining("truncated")
                .hasMessageContaining("move it away to resume from the checkpoint before it");
    }

    @Test
    void corruptCheckpointDataFailsItsChecksum(@TempDir Path dir) throws Exception {
        Path ckpt = trainTwoSteps(dir);
        byte[] bytes = Files.readAllBytes(ckpt);
        bytes[bytes.length / 2] ^= 0x10;
        Files.write(ckpt, bytes);
        assertThatThrownBy(() -> Checkpoint.load(ckpt, FACES, cpu)).isInstanceOf(WeightFileException.class)
                .hasMessageContaining("CRC-32");
        byte[] header = Files.readAllBytes(ckpt);
        header[20] = '#';                                                // inside the JSON header
        Files.write(ckpt, header);
        assertThatThrownBy(() -> Checkpoint.load(ckpt, FACES, cpu)).isInstanceOf(WeightFileException.class)
                .hasMessageContaining(ckpt.toString());
    }

    @Test
    void shapeMismatchNamesTheTensorAndBothShapes(@TempDir Path dir) throws Exception {
        Path ckpt = trainTwoSteps(dir);
        TensorFile f = Safetensors.read(ckpt);
        Map<String, String> meta = new LinkedHashMap<>(f.metadata());
        meta.put("config.g_channel_max", "8");                           // claims smaller synthesis layers
        Safetensors.write(ckpt, f.tensors(), meta);
        assertThatThrownBy(() -> Checkpoint.load(ckpt, FACES, cpu)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tensor 'synthesis.b4.const' has shape [16, 4, 4] in the file, the network expects [8, 4, 4]");
    }

    @Test
    void aCheckpointOfAnotherConfigurationIsNotResumedSilently(@TempDir Path dir) throws Exception {
        trainTwoSteps(dir);
        TrainingConfig c = TinyRuns.config();
        TrainingConfig otherBatch = TrainingConfig.defaults(16, 8, 16, 128, 16, 5);
        assertThatThrownBy(() -> TrainingRun.open(dir, otherBatch, FACES, cpu, TinyRuns.options()))
                .hasMessageContaining("batch_size 4 vs 8");
        assertThat(c).isNotEqualTo(otherBatch);
    }

    /** Real images that turn NaN from the given batch on (a broken data pipeline). */
    private record PoisonedFaces(ImageDataset faces, long poisonFromCall, long[] calls) implements ImageDataset {
        @Override
        public int size() {
            return faces.size();
        }

        @Override
        public int resolution() {
            return faces.resolution();
        }

        @Override
        public String describe() {
            return "poisoned " + faces.describe();
        }

        @Override
        public byte[] image(int index) {
            return faces.image(index);
        }

        @Override
        public Tensor batch(Backend backend, int[] indices) {
            Tensor t = ImageDataset.super.batch(backend, indices);
            return calls[0]++ >= poisonFromCall ? t.mul(Double.NaN) : t;
        }
    }

    @Test
    void nanLossStopsWithTheStepAndFirstBadTensorKeepingTheLastGoodCheckpoint(@TempDir Path dir) throws Exception {
        ImageDataset poisoned = new PoisonedFaces(FACES, 3, new long[1]);
        TrainingRun run = TrainingRun.open(dir, TinyRuns.config(), poisoned, cpu, TinyRuns.options());
        assertThatThrownBy(() -> run.run(32, new TrainingListener() {}))
                .isInstanceOf(TrainingDivergedException.class)
                .hasMessageContaining("training diverged at step 3 (D_MAIN)")
                .hasMessageContaining("Loss/scores/real = NaN")
                .hasMessageContaining("first non-finite tensor: the real image batch [4, 3, 16, 16]");
        Path last = TrainingRun.latestCheckpoint(dir);
        assertThat(last.getFileName().toString()).isEqualTo("checkpoint-00000002.safetensors");
        Trainer resumed = Checkpoint.load(last, FACES, cpu);
        assertThat(resumed.step()).isEqualTo(2);
    }

    @Test
    void nanWeightIsNamedAsTheFirstBadTensor(@TempDir Path dir) throws Exception {
        Trainer t = new Trainer(TinyRuns.config(), FACES, cpu);
        t.generator().namedParameters().get("synthesis.b8.conv1.bias").set(Tensor.full(cpu, Double.NaN, 16));
        assertThatThrownBy(t::runStep).isInstanceOf(TrainingDivergedException.class)
                .hasMessageContaining("at step 0 (G_MAIN)")
                .hasMessageContaining("first non-finite tensor: G.synthesis.b8.conv1.bias [16]");
    }
}
