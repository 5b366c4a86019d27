package facegen.nn.tfjs;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.engine.tensor.Tensor;
import facegen.engine.io.WeightFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TfjsGraphModelTest {
    private static final String GRAPH = """
            {"modelTopology": {"node": [
              {"name": "x", "op": "Placeholder"},
              {"name": "w", "op": "Const"},
              {"name": "b", "op": "Const"},
              {"name": "conv", "op": "_FusedConv2D", "input": ["x", "w", "b"], "attr": {
                "padding": {"s": "U0FNRQ=="}, "strides": {"list": {"i": ["1", "1", "1", "1"]}},
                "fused_ops": {"list": {"s": ["Qmlhc0FkZA==", "UmVsdQ=="]}}}},
              {"name": "odd", "op": "%s", "input": ["conv"]}
            ]},
            "weightsManifest": [{"paths": ["g.bin"], "weights": [
              {"name": "w", "shape": [1, 1, 1, 2], "dtype": "float32"},
              {"name": "b", "shape": [2], "dtype": "float32"}]}]}
            """;

    private static Path write(Path dir, String op) throws IOException {
        Path model = dir.resolve("g.json");
        Files.writeString(model, GRAPH.formatted(op));
        ByteBuffer bin = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putFloat(2).putFloat(-1).putFloat(0.5f).putFloat(0);
        Files.write(dir.resolve("g.bin"), bin.array());
        return model;
    }

    @Test
    void runsAFusedNhwcConvWithBiasAndRelu(@TempDir Path dir) throws IOException {
        Backend cpu = Backends.create("cpu");
        TfjsGraphModel g = TfjsGraphModel.read(write(dir, "Relu"));
        Tensor x = Tensor.of(cpu, new double[] {1, -2}, 1, 1, 2, 1);
        // channel 0: relu(2x + 0.5), channel 1: relu(-x)
        assertArrayEquals(new double[] {2.5, 0, 0, 2}, g.run(Map.of("x", x), "conv").toArray(), 1e-6);
        assertArrayEquals(new int[] {1, 1, 2, 2}, g.run(Map.of("x", x), "conv").shape().dims());
    }

    @Test
    void unknownOpIsNamedWithItsNode(@TempDir Path dir) throws IOException {
        Backend cpu = Backends.create("cpu");
        TfjsGraphModel g = TfjsGraphModel.read(write(dir, "NonMaxSuppressionV5"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> g.run(Map.of("x", Tensor.zeros(cpu, 1, 1, 1, 1)), "odd"));
        assertTrue(e.getMessage().contains("'odd'") && e.getMessage().contains("NonMaxSuppressionV5"), e.getMessage());
    }

    @Test
    void truncatedWeightsNameTheTensor(@TempDir Path dir) throws IOException {
        Path model = write(dir, "Relu");
        Files.write(dir.resolve("g.bin"), new byte[10]);
        WeightFileException e = assertThrows(WeightFileException.class, () -> TfjsGraphModel.read(model));
        assertTrue(e.getMessage().contains("'b'"), e.getMessage());
    }
}
