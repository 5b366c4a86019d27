package facegen.engine.backend.cpu;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Operand;
import facegen.engine.backend.Storage;
import facegen.engine.backend.reference.ReferenceBackend;
import facegen.engine.ops.Op;
import facegen.engine.tensor.Shape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * {@link MovementKernels} against the reference backend: every result must be the reference's rounded to float
 * exactly (these primitives copy, compare, or sum in double as the reference does), and the same bits on one
 * thread and on two. Sizes are odd, operands broadcast, slices step, transposes are ragged against the block
 * size, and some cases are large enough to be split across threads.
 */
class CpuMovementKernelsTest {

    private static CpuBackend one;
    private static CpuBackend two;
    private static final Backend REFERENCE = new ReferenceBackend();

    @BeforeAll
    static void start() {
        one = new CpuBackend(1);
        two = new CpuBackend(2);
    }

    @AfterAll
    static void stop() {
        one.close();
        two.close();
    }

    private static double[] run(Backend backend, Op op, List<Shape> shapes, List<double[]> values) {
        List<Operand> operands = new ArrayList<>();
        for (int i = 0; i < shapes.size(); i++) {
            operands.add(new Operand(backend.upload(values.get(i)), shapes.get(i)));
        }
        Storage y = backend.execute(op, op.outputShape(shapes), operands);
        double[] result = backend.download(y);
        y.release();
        operands.forEach(o -> o.storage().release());
        return result;
    }

    /** Random float-representable values, a fifth of them zero (for where's condition). */
    private static double[] values(Random rnd, Shape s) {
        double[] v = new double[s.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextInt(5) == 0 ? 0 : (float) rnd.nextGaussian();
        }
        return v;
    }

    private static void check(Op op, List<Shape> shapes, List<double[]> values) {
        String what = op.name() + " " + shapes;
        double[] want = run(REFERENCE, op, shapes, values);
        double[] got1 = run(one, op, shapes, values);
        double[] got2 = run(two, op, shapes, values);
        assertThat(got1).as(what).hasSize(want.length);
        for (int i = 0; i < want.length; i++) {
            long w = Float.floatToIntBits((float) want[i]);
            if (Float.floatToIntBits((float) got1[i]) != w || Double.doubleToRawLongBits(got1[i]) != Double.doubleToRawLongBits(got2[i])) {
                fail(what + ": element " + i + " is " + got1[i] + " (1 thread) / " + got2[i] + " (2 threads), expected "
                        + (float) want[i]);
            }
        }
    }

    private static void check(Op op, Shape... shapes) {
        Random rnd = new Random(op.name().hashCode() + 31L * List.of(shapes).hashCode());
        List<double[]> v = new ArrayList<>();
        for (Shape s : shapes) {
            v.add(values(rnd, s));
        }
        check(op, List.of(shapes), v);
    }

    @Test
    void permuteIncludingBlockedTransposes() {
        check(new Op.Permute(new int[] {2, 0, 1}), Shape.of(3, 5, 7));
        check(new Op.Permute(new int[] {0, 2, 1}), Shape.of(3, 5, 7));
        check(new Op.Permute(new int[] {0, 2, 1}), Shape.of(2, 67, 45));     // blocks, ragged both ways
        check(new Op.Permute(new int[] {1, 0}), Shape.of(70, 33));
        check(new Op.Permute(new int[] {1, 0}), Shape.of(300, 257));         // parallel
        check(new Op.Permute(new int[] {1, 0, 2}), Shape.of(40, 3, 5));      // inner rows stay whole
        check(new Op.Permute(new int[] {3, 1, 2, 0}), Shape.of(2, 3, 1, 37));
    }

    @Test
    void expandSliceFlip() {
        check(new Op.Expand(Shape.of(2, 3, 4, 5)), Shape.of(3, 1, 5));
        check(new Op.Expand(Shape.of(1000)), Shape.of(1));
        check(new Op.Expand(Shape.of(5, 40)), Shape.of(5, 1));
        check(new Op.Expand(Shape.of(200, 400)), Shape.of(200, 1));           // parallel
        check(new Op.Expand(Shape.of(7, 3)), Shape.scalar());
        check(new Op.Slice(new int[] {1, 0, 2}, new int[] {8, 10, 11}, new int[] {2, 1, 3}), Shape.of(9, 10, 11));
        check(new Op.Slice(new int[] {0, 5}, new int[] {40, 45}, new int[] {1, 1}), Shape.of(40, 50));
        check(new Op.Slice(new int[] {0, 1}, new int[] {300, 257}, new int[] {1, 2}), Shape.of(300, 257));
        check(new Op.Flip(new int[] {0, 2}), Shape.of(4, 5, 6));
        check(new Op.Flip(new int[] {1}), Shape.of(3, 7));
        check(new Op.Flip(new int[] {0}), Shape.of(300, 257));
    }

    @Test
    void padAndConcat() {
        check(new Op.Pad(new int[] {0, 1, 2}, new int[] {1, 0, 3}), Shape.of(3, 4, 5));
        check(new Op.Pad(new int[] {0, 0, 3, 3}, new int[] {0, 0, 3, 3}), Shape.of(2, 3, 64, 61));
        check(new Op.Concat(1, 3), Shape.of(2, 3, 4), Shape.of(2, 1, 4), Shape.of(2, 5, 4));
        check(new Op.Concat(0, 2), Shape.of(2, 3), Shape.of(5, 3));
        check(new Op.Concat(2, 2), Shape.of(40, 30, 17), Shape.of(40, 30, 59));
    }

    @Test
    void whereBroadcastsAllThree() {
        check(new Op.Where(), Shape.of(4, 1, 6), Shape.of(1, 5, 6), Shape.scalar());
        check(new Op.Where(), Shape.of(3, 70_001), Shape.of(3, 70_001), Shape.of(3, 70_001));
        check(new Op.Where(), Shape.of(9, 1), Shape.of(1, 13), Shape.of(9, 13));
    }

    @Test
    void maxOverAxisPatternsPropagatesNaN() {
        for (int[] axes : new int[][] {{1}, {0, 2}, {2}, {0, 1, 2}, {0}}) {
            check(new Op.Max(axes), Shape.of(7, 33, 45));
        }
        Shape s = Shape.of(5, 9);
        double[] x = values(new Random(1), s);
        x[12] = Double.NaN;
        check(new Op.Max(new int[] {1}), List.of(s), List.of(x));
        check(new Op.Max(new int[] {0}), List.of(s), List.of(x));
    }

    private static double[] indices(Random rnd, int n, int bound) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextInt(bound);
        }
        return v;
    }

    @Test
    void indexSelectAndIndexAddWithRepeatsInOrder() {
        Random rnd = new Random(7);
        record Case(int axis, Shape x, int size, int k) {}
        for (Case c : List.of(new Case(0, Shape.of(50), 50, 1000), new Case(1, Shape.of(3, 20, 7), 20, 15),
                new Case(0, Shape.of(1000, 64), 1000, 3000), new Case(2, Shape.of(4, 3, 9), 9, 40))) {
            Shape idx = Shape.of(c.k());
            double[] index = indices(rnd, c.k(), c.size());
            check(new Op.IndexSelect(c.axis()), List.of(c.x(), idx), List.of(values(rnd, c.x()), index));
            Shape src = c.x().withDim(c.axis(), c.k());
            check(new Op.IndexAdd(c.axis(), c.size()), List.of(src, idx), List.of(values(rnd, src), index));
        }
        // a scatter of single values, large enough to split the index range across threads
        double[] index = indices(rnd, 200_000, 37);
        check(new Op.IndexAdd(0, 37), List.of(Shape.of(200_000), Shape.of(200_000)),
                List.of(values(rnd, Shape.of(200_000)), index));
    }

    @Test
    void badIndicesAreRejectedAsByTheReference() {
        for (double bad : new double[] {-1, 5, 1.5, Double.NaN}) {
            Op op = new Op.IndexSelect(0);
            List<Shape> shapes = List.of(Shape.of(5), Shape.of(2));
            List<double[]> v = List.of(new double[5], new double[] {0, bad});
            String message = null;
            try {
                run(REFERENCE, op, shapes, v);
            } catch (IllegalArgumentException e) {
                message = e.getMessage();
            }
            assertThat(message).as("reference rejects " + bad).isNotNull();
            assertThatThrownBy(() -> run(two, op, shapes, v)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(message);
        }
    }

    @Test
    void aBadIndexInALaterParallelChunkIsNamedAsByTheReference() {
        int n = 3 * IndexCheck.CHUNK + 5;
        double[] index = new double[n];
        for (int i = 0; i < n; i++) {
            index[i] = i % 7;
        }
        index[2 * IndexCheck.CHUNK + 3] = 7;                              // out of range, in the third chunk
        index[n - 1] = 0.5;                                               // a later one is not the one named
        Op op = new Op.IndexSelect(0);
        List<Shape> shapes = List.of(Shape.of(7), Shape.of(n));
        List<double[]> v = List.of(new double[7], index);
        assertThatThrownBy(() -> run(two, op, shapes, v)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("index_select: index[" + (2 * IndexCheck.CHUNK + 3) + "] = 7.0 is not an integer in [0, 7) (axis 0 of x [7])");
    }
}
