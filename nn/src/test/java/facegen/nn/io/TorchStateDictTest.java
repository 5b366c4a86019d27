package facegen.nn.io;

import facegen.engine.io.ElementType;
import facegen.engine.io.TensorFile;
import facegen.engine.io.WeightFileException;
import facegen.engine.tensor.Shape;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** torch.save ZIP files: CPython-pickled fixtures, files from {@link TorchSaveWriter}, and refused pickles. */
class TorchStateDictTest {

    @Test
    void readsACpythonPickledStateDictWithViewsOffsetsAndPrimitives() throws Exception {
        TensorFile f = TorchStateDict.decode(Fixtures.bytes("torch_layout.pt"), "torch_layout.pt");
        assertThat(f.tensors().keySet()).containsExactly("g_ema.weight", "g_ema.weight_t", "g_ema.scale");
        assertThat(f.tensor("g_ema.weight").shape()).isEqualTo(Shape.of(2, 3));
        assertThat(f.tensor("g_ema.weight").values()).containsExactly(0, 0.125, 0.25, 0.375, 0.5, 0.625);
        assertThat(f.tensor("g_ema.weight_t").shape()).isEqualTo(Shape.of(3, 2));
        assertThat(f.tensor("g_ema.weight_t").values()).containsExactly(0, 0.375, 0.125, 0.5, 0.25, 0.625);
        assertThat(f.tensor("g_ema.scale").shape()).isEqualTo(Shape.scalar());
        assertThat(f.tensor("g_ema.scale").values()).containsExactly(0.25);
        assertThat(f.metadata()).containsEntry("iter", "1200").containsEntry("lr", "0.002").containsEntry("name", "demo");
    }

    @Test
    void refusesAnyOtherGlobalByName() {
        assertThatThrownBy(() -> TorchStateDict.decode(Fixtures.bytes("torch_with_namespace.pt"), "ckpt.pt"))
                .isInstanceOf(WeightFileException.class)
                .hasMessageContaining("refusing to load global 'argparse.Namespace'")
                .hasMessageContaining("no code is ever run");
    }

    @Test
    void neverCallsFunctionsOutsideTheTable() throws Exception {
        // cos\nsystem\n(S'echo pwned'\ntR.  =  os.system('echo pwned'), the classic pickle exploit
        byte[] exploit = "cos\nsystem\n(S'echo pwned'\ntR.".getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> TorchStateDict.decode(torchZip(exploit), "evil.pt"))
                .isInstanceOf(WeightFileException.class).hasMessageContaining("refusing to load global 'os.system'");
        // STACK_GLOBAL builtins.eval
        byte[] stackGlobal = concat(new byte[] {(byte) 0x80, 4}, shortUnicode("builtins"), shortUnicode("eval"),
                new byte[] {(byte) 0x93, '.'});
        assertThatThrownBy(() -> TorchStateDict.decode(torchZip(stackGlobal), "evil.pt"))
                .hasMessageContaining("refusing to load global 'builtins.eval'");
        // NEWOBJ on an allowed class is refused too
        byte[] newobj = "ccollections\nOrderedDict\n)\u0081.".getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> TorchStateDict.decode(torchZip(newobj), "evil.pt"))
                .hasMessageContaining("would instantiate a class");
    }

    @Test
    void readsNestedStateDictsAsWrittenByTorchSave() throws Exception {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("style.1.weight", TorchSaveWriter.contiguous(new float[] {1, 2, 3, 4, 5, 6}, 3, 2));
        g.put("noise.weight", TorchSaveWriter.contiguous(new float[] {0.5f}, 1));
        float[] shared = {9, 8, 7, 6};
        g.put("view", new TorchSaveWriter.SavedTensor(ElementType.F32, shared, 1, new int[] {2}, new int[] {2}, "s"));
        g.put("same", new TorchSaveWriter.SavedTensor(ElementType.F32, shared, 0, new int[] {2, 2}, null, "s"));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("g_ema", g);
        root.put("iter", 7L);
        TensorFile f = TorchStateDict.decode(TorchSaveWriter.write(root), "mem");
        assertThat(f.tensors().keySet()).containsExactly("g_ema.style.1.weight", "g_ema.noise.weight", "g_ema.view", "g_ema.same");
        assertThat(f.tensor("g_ema.style.1.weight").values()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(f.tensor("g_ema.view").values()).containsExactly(8, 6);
        assertThat(f.tensor("g_ema.same").shape()).isEqualTo(Shape.of(2, 2));
        assertThat(f.metadata()).containsEntry("iter", "7");
    }

    @Test
    void truncatedCorruptAndLegacyFilesAreReported() throws Exception {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("w", TorchSaveWriter.contiguous(new float[] {1, 2, 3, 4}, 2, 2));
        byte[] good = TorchSaveWriter.write(root);
        for (int len = 0; len < good.length; len += 7) {
            byte[] cut = Arrays.copyOf(good, len);
            assertThatThrownBy(() -> TorchStateDict.decode(cut, "cut.pt")).as("length %d", len)
                    .isInstanceOf(WeightFileException.class).hasMessageStartingWith("cut.pt");
        }
        byte[] corrupt = good.clone();
        corrupt[indexOf(corrupt, new byte[] {0, 0, (byte) 0x80, 0x3f})] ^= 1;   // the stored 1.0f
        assertThatThrownBy(() -> TorchStateDict.decode(corrupt, "c.pt")).hasMessageContaining("CRC-32");
        assertThatThrownBy(() -> TorchStateDict.decode(new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10}, "old.pt"))
                .hasMessageContaining("legacy (pre-1.6");
    }

    private static byte[] torchZip(byte[] pickle) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("archive/data.pkl"));
            zip.write(pickle);
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }

    private static byte[] shortUnicode(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return concat(new byte[] {(byte) 0x8c, (byte) b.length}, b);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("not found");
    }
}
