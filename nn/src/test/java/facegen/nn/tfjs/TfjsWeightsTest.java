package facegen.nn.tfjs;

import facegen.engine.io.ElementType;
import facegen.engine.io.StoredTensor;
import facegen.engine.io.TensorFile;
import facegen.engine.io.WeightFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TfjsWeightsTest {
    static final Path FACE_API = Path.of("../test-data/face-api");

    @Test
    void readsTheShippedLandmarkManifestDequantisingUint8() throws IOException {
        TensorFile f = TfjsWeights.read(FACE_API.resolve("face_landmark_68_model-weights_manifest.json"));
        StoredTensor filters = f.tensor("dense0/conv0/filters");
        assertArrayEquals(new int[] {3, 3, 3, 32}, filters.shape().dims());
        byte[] bin = Files.readAllBytes(FACE_API.resolve("face_landmark_68_model.bin"));
        // first entry of the manifest: scale 0.004853619781194949, min -0.5872879935245888
        assertEquals((bin[0] & 0xff) * 0.004853619781194949 + -0.5872879935245888, filters.values()[0], 0);
        assertArrayEquals(new int[] {256, 136}, f.tensor("fc/weights").shape().dims());
        assertEquals(ElementType.F32, filters.type());
    }

    @Test
    void decodesFloat32Int32Float16AndUint16() throws IOException {
        String manifest = """
                [{"paths": ["a.bin", "b.bin"], "weights": [
                  {"name": "f", "shape": [2], "dtype": "float32"},
                  {"name": "i", "shape": [1], "dtype": "int32"},
                  {"name": "h", "shape": [2], "dtype": "float32", "quantization": {"dtype": "float16"}},
                  {"name": "u", "shape": [1], "dtype": "float32", "quantization": {"dtype": "uint16", "scale": 0.5, "min": -1}}
                ]}]""";
        ByteBuffer b = ByteBuffer.allocate(8 + 4 + 4 + 2).order(ByteOrder.LITTLE_ENDIAN);
        b.putFloat(1.5f).putFloat(-2f).putInt(7).putShort(Float.floatToFloat16(0.25f)).putShort(Float.floatToFloat16(-3f))
                .putShort((short) 10);
        byte[] all = b.array();
        // the group's shards are concatenated: split the bytes across two files mid-tensor
        Map<String, byte[]> shards = Map.of("a.bin", Arrays.copyOfRange(all, 0, 5), "b.bin", Arrays.copyOfRange(all, 5, all.length));
        TensorFile f = TfjsWeights.decode(manifest.getBytes(StandardCharsets.UTF_8), shards::get, "test");
        assertArrayEquals(new double[] {1.5, -2}, f.tensor("f").values());
        assertArrayEquals(new double[] {7}, f.tensor("i").values());
        assertArrayEquals(new double[] {0.25, -3}, f.tensor("h").values());
        assertArrayEquals(new double[] {4}, f.tensor("u").values());
    }

    @Test
    void truncatedBinNamesTheTensorThatDoesNotFit(@TempDir Path dir) throws IOException {
        Path manifest = dir.resolve("m-weights_manifest.json");
        Files.copy(FACE_API.resolve("face_landmark_68_model-weights_manifest.json"), manifest);
        byte[] bin = Files.readAllBytes(FACE_API.resolve("face_landmark_68_model.bin"));
        Files.write(dir.resolve("face_landmark_68_model.bin"), Arrays.copyOf(bin, 1000));
        WeightFileException e = assertThrows(WeightFileException.class, () -> TfjsWeights.read(manifest));
        assertTrue(e.getMessage().contains("dense0/conv1/depthwise_filter") && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void unknownDtypeAndCorruptJsonAreReported() {
        byte[] unknown = """
                [{"paths": ["x"], "weights": [{"name": "s", "shape": [1], "dtype": "string"}]}]"""
                .getBytes(StandardCharsets.UTF_8);
        WeightFileException e = assertThrows(WeightFileException.class, () -> TfjsWeights.decode(unknown, p -> new byte[4], "m.json"));
        assertTrue(e.getMessage().contains("'s'") && e.getMessage().contains("string"), e.getMessage());
        WeightFileException json = assertThrows(WeightFileException.class,
                () -> TfjsWeights.decode("[{\"paths\": [".getBytes(StandardCharsets.UTF_8), p -> new byte[0], "m.json"));
        assertTrue(json.getMessage().startsWith("m.json: manifest is not JSON"), json.getMessage());
        WeightFileException missing = assertThrows(WeightFileException.class,
                () -> TfjsWeights.decode(unknown, p -> null, "m.json"));
        assertTrue(missing.getMessage().contains("shard x is missing"), missing.getMessage());
    }

    @Test
    void extraBytesMeanManifestAndBinDoNotBelongTogether() {
        byte[] m = """
                [{"paths": ["x"], "weights": [{"name": "s", "shape": [1], "dtype": "float32"}]}]"""
                .getBytes(StandardCharsets.UTF_8);
        WeightFileException e = assertThrows(WeightFileException.class, () -> TfjsWeights.decode(m, p -> new byte[8], "m.json"));
        assertTrue(e.getMessage().contains("do not belong together"), e.getMessage());
    }
}
