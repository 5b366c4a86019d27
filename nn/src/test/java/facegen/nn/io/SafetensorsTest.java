package facegen.nn.io;

import facegen.engine.io.ElementType;
import facegen.engine.io.StoredTensor;
import facegen.engine.io.TensorFile;
import facegen.engine.io.WeightFileException;
import facegen.engine.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SafetensorsTest {

    private static Map<String, StoredTensor> sample() {
        Map<String, StoredTensor> t = new LinkedHashMap<>();
        t.put("w", new StoredTensor(ElementType.F32, Shape.of(2, 3), new double[] {1, -2.5, 3e-8, Float.MAX_VALUE, 0, -0.0}));
        t.put("step", StoredTensor.ofLong(123456789012L));
        t.put("b", new StoredTensor(ElementType.F64, Shape.of(2), new double[] {Math.PI, -1e300}));
        t.put("empty", new StoredTensor(ElementType.F32, Shape.of(0, 4), new double[0]));
        t.put("half", new StoredTensor(ElementType.F16, Shape.scalar(), new double[] {0.333251953125}));
        return t;
    }

    @Test
    void roundTripKeepsEveryValueBitForBitAndTheMetadata() throws Exception {
        byte[] bytes = Safetensors.encode(sample(), Map.of("step", "12", "note", "quote \" and \\ and \n"));
        TensorFile f = Safetensors.decode(bytes, "mem");
        assertThat(f.metadata()).containsEntry("step", "12").containsEntry("note", "quote \" and \\ and \n");
        assertThat(f.tensors().keySet()).containsExactlyInAnyOrder("w", "step", "b", "empty", "half");
        sample().forEach((name, t) -> {
            StoredTensor back = f.tensor(name);
            assertThat(back.type()).isEqualTo(t.type());
            assertThat(back.shape()).isEqualTo(t.shape());
            for (int i = 0; i < t.values().length; i++) {
                double expected = t.type() == ElementType.F32 ? (float) t.values()[i] : t.values()[i];
                assertThat(Double.doubleToRawLongBits(back.values()[i])).as(name + "[" + i + "]")
                        .isEqualTo(Double.doubleToRawLongBits(expected));
            }
        });
    }

    /** The layout Python's safetensors expects: u64 header size, JSON padded to 8, aligned data, offsets in order. */
    @Test
    void fileFollowsTheSafetensorsLayout() throws Exception {
        byte[] bytes = Safetensors.encode(sample(), Map.of("k", "v"));
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertThat(n % 8).isZero();
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertThat(header).startsWith("{\"__metadata__\":{\"k\":\"v\",\"facegen.data_crc32\":\"")
                .contains("},\"step\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]}")
                .contains("\"b\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[8,24]}")
                .contains("\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[24,48]}");
        assertThat(header.strip()).endsWith("}");
        assertThat(bytes.length).isEqualTo(8 + n + 8 + 16 + 24 + 2);
    }

    @Test
    void aFlippedDataBitFailsTheRecordedCrc() throws Exception {
        byte[] bytes = Safetensors.encode(sample(), Map.of());
        bytes[bytes.length - 3] ^= 4;
        assertThatThrownBy(() -> Safetensors.decode(bytes, "ckpt")).isInstanceOf(WeightFileException.class)
                .hasMessageContaining("fails its CRC-32").hasMessageContaining("corrupt");
    }

    @Test
    void writeIsAtomicAndReplacesTheOldFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ckpt.safetensors");
        Safetensors.write(file, sample(), Map.of("v", "1"));
        Safetensors.write(file, sample(), Map.of("v", "2"));
        assertThat(Safetensors.read(file).metadata()).containsEntry("v", "2");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("ckpt.safetensors");
        }
    }

    @Test
    void everyTruncationIsReportedAsACorruptFile() {
        byte[] bytes = Safetensors.encode(sample(), Map.of("k", "v"));
        for (int len = 0; len < bytes.length; len++) {
            byte[] cut = Arrays.copyOf(bytes, len);
            assertThatThrownBy(() -> Safetensors.decode(cut, "cut")).as("length %d", len)
                    .isInstanceOf(WeightFileException.class).hasMessageStartingWith("cut: ");
        }
    }

    @Test
    void headerDamageIsReportedWithTheTensorName() {
        assertThatThrownBy(() -> Safetensors.decode(file("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4), "f"))
                .isInstanceOf(WeightFileException.class).hasMessageContaining("tensor 'x'").hasMessageContaining("needs 8 bytes");
        assertThatThrownBy(() -> Safetensors.decode(file("{\"x\":{\"dtype\":\"Q7\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "f"))
                .hasMessageContaining("dtype Q7 is not supported");
        assertThatThrownBy(() -> Safetensors.decode(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8), "f"))
                .hasMessageContaining("overlap or leave a hole");
        assertThatThrownBy(() -> Safetensors.decode(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 12), "f"))
                .hasMessageContaining("trailing bytes");
        assertThatThrownBy(() -> Safetensors.decode(file("[1, 2]", 0), "f")).hasMessageContaining("does not start with '{'");
        assertThatThrownBy(() -> Safetensors.decode(file("{\"a\":", 0), "f")).hasMessageContaining("JSON");
    }

    private static byte[] file(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return b.array();
    }
}
