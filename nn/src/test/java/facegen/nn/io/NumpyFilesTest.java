package facegen.nn.io;

import facegen.engine.io.ElementType;
import facegen.engine.io.Npy;
import facegen.engine.io.Npz;
import facegen.engine.io.StoredTensor;
import facegen.engine.io.TensorFile;
import facegen.engine.io.WeightFileException;
import facegen.engine.tensor.Shape;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** .npy and .npz files written by NumPy 2 ({@code make_fixtures.py}) and by {@link Npy#encode}. */
class NumpyFilesTest {

    @Test
    void readsNumpysFloatIntegerBooleanAndHalfArrays() throws Exception {
        StoredTensor f4 = Npy.decode(Fixtures.bytes("f4_2x3.npy"), "f4");
        assertThat(f4.type()).isEqualTo(ElementType.F32);
        assertThat(f4.shape()).isEqualTo(Shape.of(2, 3));
        assertThat(f4.values()).containsExactly(0, 0.25, 0.5, 0.75, 1, 1.25);
        StoredTensor i4 = Npy.decode(Fixtures.bytes("i4_bigendian_3.npy"), "i4");
        assertThat(i4.values()).containsExactly(1, -2, 300000);
        assertThat(Npy.decode(Fixtures.bytes("b1_4.npy"), "b1").values()).containsExactly(1, 0, 0, 1);
        StoredTensor half = Npy.decode(Fixtures.bytes("f2_scalar.npy"), "f2");
        assertThat(half.shape()).isEqualTo(Shape.scalar());
        assertThat(half.values()).containsExactly(1.5);
    }

    @Test
    void fortranOrderedArraysComeBackRowMajor() throws Exception {
        StoredTensor t = Npy.decode(Fixtures.bytes("f8_fortran_2x3x2.npy"), "f8");
        assertThat(t.shape()).isEqualTo(Shape.of(2, 3, 2));
        double[] expected = new double[12];
        Arrays.setAll(expected, i -> i - 5.5);
        assertThat(t.values()).containsExactly(expected);
    }

    @Test
    void objectArraysAreRefusedBecauseTheyNeedPickle() {
        assertThatThrownBy(() -> Npy.decode(Fixtures.bytes("object.npy"), "object.npy"))
                .isInstanceOf(WeightFileException.class).hasMessageContaining("'|O'").hasMessageContaining("pickle");
    }

    @Test
    void readsStoredAndDeflatedNpzArchives() throws Exception {
        for (String name : new String[] {"arrays.npz", "arrays_compressed.npz"}) {
            TensorFile f = Npz.decode(Fixtures.bytes(name), name);
            assertThat(f.tensors().keySet()).containsExactly("w", "b");
            assertThat(f.tensor("w").values()).containsExactly(0, 1, 2, 3);
            assertThat(f.tensor("w").shape()).isEqualTo(Shape.of(2, 2));
            assertThat(f.tensor("b").type()).isEqualTo(ElementType.F64);
        }
    }

    @Test
    void encodedFilesDecodeToTheSameArray() throws Exception {
        for (int[] dims : new int[][] {{}, {5}, {2, 3}, {2, 1, 4}}) {
            Shape shape = new Shape(dims);
            double[] v = new double[(int) shape.numel()];
            Arrays.setAll(v, i -> i * 0.5 - 1);
            StoredTensor t = new StoredTensor(ElementType.F32, shape, v);
            byte[] bytes = Npy.encode(t);
            assertThat((bytes.length - v.length * 4) % 64).as("header padded to 64").isZero();
            StoredTensor back = Npy.decode(bytes, "mem");
            assertThat(back.shape()).isEqualTo(shape);
            assertThat(back.values()).containsExactly(v);
        }
    }

    @Test
    void truncatedOrCorruptFilesAreReported() {
        byte[] npy = Fixtures.bytes("f4_2x3.npy");
        for (int len = 0; len < npy.length; len++) {
            byte[] cut = Arrays.copyOf(npy, len);
            assertThatThrownBy(() -> Npy.decode(cut, "cut")).isInstanceOf(WeightFileException.class);
        }
        byte[] npz = Fixtures.bytes("arrays_compressed.npz");
        for (int len = 0; len < npz.length; len++) {
            byte[] cut = Arrays.copyOf(npz, len);
            assertThatThrownBy(() -> Npz.decode(cut, "cut")).as("length %d", len).isInstanceOf(WeightFileException.class);
        }
        byte[] flipped = npz.clone();
        flipped[60] ^= 0x55;                                             // inside the first deflated entry
        assertThatThrownBy(() -> Npz.decode(flipped, "flipped")).isInstanceOf(WeightFileException.class);
    }
}
