package facegen.engine.backend;

import facegen.engine.backend.cpu.CpuBackend;
import facegen.engine.backend.device.DeviceTestBackends;
import facegen.engine.backend.reference.ReferenceBackend;
import facegen.engine.ops.ConvGeometry;
import facegen.engine.ops.Op;
import facegen.engine.tensor.DType;
import facegen.engine.tensor.Shape;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The one suite every backend passes: each primitive against hand-computed values (written out, never recomputed
 * by the code under test), broadcasting and strided cases, adjoint identities on seeded random inputs, and the
 * storage contract (rounding, reference counting, ownership). Tolerances follow the backend's dtype.
 */
class BackendConformanceTest {

    static Stream<Arguments> backends() {
        return Stream.of(
                arguments(named("reference", new ReferenceBackend())),
                arguments(named("cpu", new CpuBackend())),
                // GPU backends: skipped (aborted with the reason) where unavailable; PoCL runs opencl on any CPU.
                arguments(named("opencl", DeviceTestBackends.openOrSkipping("opencl"))),
                arguments(named("cuda", DeviceTestBackends.openOrSkipping("cuda"))));
    }

    // ---------------------------------------------------------------- storage contract

    @ParameterizedTest
    @MethodSource("backends")
    void uploadThenDownloadRoundsToBackendDtype(Backend backend) {
        double[] values = {0.1, -1e-3, 3, 1e10};
        double[] expected = Arrays.stream(values).map(v -> backend.dtype() == DType.FLOAT32 ? (float) v : v).toArray();

        assertThat(backend.download(backend.upload(values))).containsExactly(expected);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void fillRepeatsOneValue(Backend backend) {
        assertThat(backend.download(backend.fill(2.5, 4))).containsExactly(2.5, 2.5, 2.5, 2.5);
        assertThat(backend.download(backend.fill(7, 0))).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void liveBytesCountStorageUntilItsLastReferenceIsReleased(Backend backend) {
        long before = backend.liveBytes();
        int bytes = backend.dtype().bytes();

        Operand x = upload(backend, Shape.of(10), new double[10]);
        assertThat(backend.liveBytes()).isEqualTo(before + 10L * bytes);
        Operand y = apply(backend, new Op.Neg(), x);
        assertThat(backend.liveBytes()).isEqualTo(before + 20L * bytes);
        y.storage().retain();
        y.storage().release();
        assertThat(backend.liveBytes()).isEqualTo(before + 20L * bytes);

        x.storage().release();
        y.storage().release();
        assertThat(backend.liveBytes()).isEqualTo(before);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void reshapeSharesStorageWithoutCopying(Backend backend) {
        Operand x = upload(backend, Shape.of(2, 3), 1, 2, 3, 4, 5, 6);
        long afterUpload = backend.liveBytes();

        Storage reshaped = backend.execute(new Op.Reshape(Shape.of(3, 2)), Shape.of(3, 2), List.of(x));

        assertThat(reshaped).isSameAs(x.storage());
        assertThat(backend.liveBytes()).isEqualTo(afterUpload);
        assertThat(backend.download(reshaped)).containsExactly(1, 2, 3, 4, 5, 6);
        x.storage().release();
        assertThat(reshaped.isFreed()).isFalse();
        reshaped.release();
        assertThat(reshaped.isFreed()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void freedStorageIsRejected(Backend backend) {
        Operand x = upload(backend, Shape.of(3), 1, 2, 3);
        x.storage().release();

        assertThatThrownBy(() -> backend.execute(new Op.Neg(), Shape.of(3), List.of(x)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already freed");
        assertThatThrownBy(() -> backend.download(x.storage()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already freed");
        assertThatThrownBy(() -> x.storage().release()).isInstanceOf(IllegalStateException.class);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void operandOnAnotherBackendIsRejected(Backend backend) {
        try (Backend other = backend instanceof ReferenceBackend ? new CpuBackend() : new ReferenceBackend()) {
            Operand own = upload(backend, Shape.of(3), 1, 2, 3);
            // Never touched by the backend under test beyond asking who owns it.
            Operand foreign = new Operand(new Storage(other, 3) {
                @Override
                protected void free() {}
            }, Shape.of(3));

            assertThatThrownBy(() -> backend.execute(new Op.Add(), Shape.of(3), List.of(own, foreign)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("operand 1")
                    .hasMessageContaining("'" + other.name() + "'")
                    .hasMessageContaining("'" + backend.name() + "'");
        }
    }

    // ---------------------------------------------------------------- elementwise

    @ParameterizedTest
    @MethodSource("backends")
    void unaryOpsApplyTheirFunctionToEachElement(Backend backend) {
        Operand x = upload(backend, Shape.of(3), 0, 1, -0.5);

        assertValues(backend, run(backend, new Op.Neg(), x), 0, -1, 0.5);
        assertValues(backend, run(backend, new Op.Exp(), x), 1, 2.718281828459045, 0.6065306597126334);
        assertValues(backend, run(backend, new Op.Sin(), x), 0, 0.8414709848078965, -0.479425538604203);
        assertValues(backend, run(backend, new Op.Cos(), x), 1, 0.5403023058681398, 0.8775825618903728);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void logAndSqrtFollowIeeeOutsideTheirDomain(Backend backend) {
        Operand x = upload(backend, Shape.of(4), 4, 0.5, 0, -1);

        assertValues(backend, run(backend, new Op.Log(), x),
                1.3862943611198906, -0.6931471805599453, Double.NEGATIVE_INFINITY, Double.NaN);
        assertValues(backend, run(backend, new Op.Sqrt(), x), 2, 0.7071067811865476, 0, Double.NaN);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void binaryOpsBroadcastNumPyStyle(Backend backend) {
        Operand a23 = upload(backend, Shape.of(2, 3), 1, 2, 3, 4, 5, 6);

        assertValues(backend, run(backend, new Op.Add(), a23, upload(backend, Shape.of(3), 10, 20, 30)),
                11, 22, 33, 14, 25, 36);
        assertValues(backend, run(backend, new Op.Sub(), a23, upload(backend, Shape.of(2, 1), 10, 20)),
                -9, -8, -7, -16, -15, -14);
        assertValues(backend, run(backend, new Op.Mul(),
                        upload(backend, Shape.of(2, 1), 1, 2), upload(backend, Shape.of(1, 3), 1, 2, 3)),
                1, 2, 3, 2, 4, 6);
        assertValues(backend, run(backend, new Op.Div(), upload(backend, Shape.scalar(), 1), upload(backend, Shape.of(2), 2, 4)),
                0.5, 0.25);
        assertValues(backend, run(backend, new Op.Div(), a23, upload(backend, Shape.scalar(), 2)),
                0.5, 1, 1.5, 2, 2.5, 3);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void divisionByZeroGivesSignedInfinityOrNaN(Backend backend) {
        assertValues(backend, run(backend, new Op.Div(),
                        upload(backend, Shape.of(3), 1, -1, 0), upload(backend, Shape.of(3), 0, 0, 0)),
                Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void powFollowsMathPow(Backend backend) {
        assertValues(backend, run(backend, new Op.Pow(),
                        upload(backend, Shape.of(5), 2, 4, -2, 0, -8), upload(backend, Shape.of(5), 3, 0.5, 2, 0, 0.5)),
                8, 2, 4, 1, Double.NaN);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void maximumAndMinimumPickElementwiseAndPropagateNaN(Backend backend) {
        Operand a = upload(backend, Shape.of(4), 1, 5, 3, Double.NaN);
        Operand b = upload(backend, Shape.of(4), 4, 2, 3, 1);

        assertValues(backend, run(backend, new Op.Maximum(), a, b), 4, 5, 3, Double.NaN);
        assertValues(backend, run(backend, new Op.Minimum(), a, b), 1, 2, 3, Double.NaN);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void comparisonsReturnOneOrZero(Backend backend) {
        Operand a = upload(backend, Shape.of(3), 1, 5, 3);

        assertValues(backend, run(backend, new Op.Less(), a, upload(backend, Shape.of(3), 4, 2, 3)), 1, 0, 0);
        assertValues(backend, run(backend, new Op.Equal(), a, upload(backend, Shape.of(3), 4, 2, 3)), 0, 0, 1);
        assertValues(backend, run(backend, new Op.Less(), a, upload(backend, Shape.scalar(), 3)), 1, 0, 0);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void whereBroadcastsConditionAndBothBranches(Backend backend) {
        assertValues(backend, run(backend, new Op.Where(),
                        upload(backend, Shape.of(2, 1), 1, 0),
                        upload(backend, Shape.of(3), 1, 2, 3),
                        upload(backend, Shape.scalar(), -1)),
                1, 2, 3, -1, -1, -1);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void whereTreatsAnyNonZeroConditionAsTrue(Backend backend) {
        assertValues(backend, run(backend, new Op.Where(),
                        upload(backend, Shape.of(3), 0.5, -0.0, -2),
                        upload(backend, Shape.of(3), 1, 2, 3),
                        upload(backend, Shape.of(3), 4, 5, 6)),
                1, 5, 3);
    }

    // ---------------------------------------------------------------- reductions

    @ParameterizedTest
    @MethodSource("backends")
    void sumAddsOverAxesKeepingThemWithExtentOne(Backend backend) {
        Operand x = upload(backend, Shape.of(2, 3), 1, 2, 3, 4, 5, 6);

        assertValues(backend, run(backend, new Op.Sum(new int[] {0}), x), 5, 7, 9);
        assertValues(backend, run(backend, new Op.Sum(new int[] {1}), x), 6, 15);
        assertValues(backend, run(backend, new Op.Sum(new int[] {0, 1}), x), 21);
        assertValues(backend, run(backend, new Op.Sum(new int[] {0, 2}),
                upload(backend, Shape.of(2, 2, 2), 1, 2, 3, 4, 5, 6, 7, 8)), 14, 22);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void maxReducesOverAxesAndPropagatesNaN(Backend backend) {
        Operand x = upload(backend, Shape.of(2, 3), 1, 5, -2, 3, 0, 4);

        assertValues(backend, run(backend, new Op.Max(new int[] {0}), x), 3, 5, 4);
        assertValues(backend, run(backend, new Op.Max(new int[] {1}), x), 5, 4);
        assertValues(backend, run(backend, new Op.Max(new int[] {0}), upload(backend, Shape.of(3), -3, -1, -2)), -1);
        assertValues(backend, run(backend, new Op.Max(new int[] {0}), upload(backend, Shape.of(3), 1, Double.NaN, 3)),
                Double.NaN);
    }

    // ---------------------------------------------------------------- movement

    @ParameterizedTest
    @MethodSource("backends")
    void permuteMakesOutputAxisKWalkInputAxisPermK(Backend backend) {
        // x[i, j, k] = 100 i + 10 j + k, so y[k, i, j] must read back the same number.
        Operand x = upload(backend, Shape.of(2, 3, 4),
                0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23,
                100, 101, 102, 103, 110, 111, 112, 113, 120, 121, 122, 123);

        assertValues(backend, run(backend, new Op.Permute(new int[] {2, 0, 1}), x),
                0, 10, 20, 100, 110, 120,
                1, 11, 21, 101, 111, 121,
                2, 12, 22, 102, 112, 122,
                3, 13, 23, 103, 113, 123);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void opsOnAPermutedResultSeeItsNewLayout(Backend backend) {
        Operand transposed = apply(backend, new Op.Permute(new int[] {1, 0}),
                upload(backend, Shape.of(2, 3), 1, 2, 3, 4, 5, 6)); // [[1, 4], [2, 5], [3, 6]]

        assertValues(backend, run(backend, new Op.Add(), transposed, upload(backend, Shape.of(2), 10, 20)),
                11, 24, 12, 25, 13, 26);
        assertValues(backend, run(backend, new Op.Sum(new int[] {0}), transposed), 6, 15);
        assertValues(backend, run(backend, new Op.Slice(new int[] {1, 0}, new int[] {3, 2}, new int[] {1, 1}), transposed),
                2, 5, 3, 6);
        assertValues(backend, run(backend, new Op.MatMul(false, false), transposed, upload(backend, Shape.of(2, 1), 1, -1)),
                -3, -3, -3);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void expandRepeatsExtentOneAndMissingAxes(Backend backend) {
        assertValues(backend, run(backend, new Op.Expand(Shape.of(2, 3)), upload(backend, Shape.of(3), 1, 2, 3)),
                1, 2, 3, 1, 2, 3);
        assertValues(backend, run(backend, new Op.Expand(Shape.of(2, 3)), upload(backend, Shape.of(2, 1), 1, 2)),
                1, 1, 1, 2, 2, 2);
        assertValues(backend, run(backend, new Op.Expand(Shape.of(2, 2)), upload(backend, Shape.scalar(), 7)),
                7, 7, 7, 7);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void sliceTakesStartEndAndStepPerAxis(Backend backend) {
        Operand x = upload(backend, Shape.of(3, 4), 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);

        assertValues(backend, run(backend, new Op.Slice(new int[] {0, 1}, new int[] {3, 4}, new int[] {2, 2}), x),
                1, 3, 9, 11);
        assertValues(backend, run(backend, new Op.Slice(new int[] {1, 0}, new int[] {3, 3}, new int[] {1, 2}), x),
                4, 6, 8, 10);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void padSurroundsWithZeros(Backend backend) {
        assertValues(backend, run(backend, new Op.Pad(new int[] {1, 0}, new int[] {0, 2}),
                        upload(backend, Shape.of(2, 2), 1, 2, 3, 4)),
                0, 0, 0, 0,
                1, 2, 0, 0,
                3, 4, 0, 0);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void concatJoinsInputsAlongAxisInOrder(Backend backend) {
        assertValues(backend, run(backend, new Op.Concat(1, 2),
                        upload(backend, Shape.of(2, 1), 1, 2), upload(backend, Shape.of(2, 2), 3, 4, 5, 6)),
                1, 3, 4, 2, 5, 6);
        assertValues(backend, run(backend, new Op.Concat(0, 3),
                        upload(backend, Shape.of(1), 1), upload(backend, Shape.of(2), 2, 3), upload(backend, Shape.of(1), 4)),
                1, 2, 3, 4);
        assertValues(backend, run(backend, new Op.Concat(1, 2),
                        upload(backend, Shape.of(2, 1, 2), 1, 2, 3, 4),
                        upload(backend, Shape.of(2, 2, 2), 5, 6, 7, 8, 9, 10, 11, 12)),
                1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void flipReversesEachListedAxis(Backend backend) {
        Operand x = upload(backend, Shape.of(2, 3), 1, 2, 3, 4, 5, 6);

        assertValues(backend, run(backend, new Op.Flip(new int[] {1}), x), 3, 2, 1, 6, 5, 4);
        assertValues(backend, run(backend, new Op.Flip(new int[] {0, 1}), x), 6, 5, 4, 3, 2, 1);
        assertValues(backend, run(backend, new Op.Flip(new int[] {0}), x), 4, 5, 6, 1, 2, 3);
        assertThatThrownBy(() -> new Op.Flip(new int[] {1, 1})).hasMessageContaining("distinct");
    }

    // ---------------------------------------------------------------- gather / scatter

    @ParameterizedTest
    @MethodSource("backends")
    void indexSelectGathersAlongAxis(Backend backend) {
        Operand x = upload(backend, Shape.of(2, 3), 1, 2, 3, 4, 5, 6);

        assertValues(backend, run(backend, new Op.IndexSelect(1), x, upload(backend, Shape.of(3), 2, 0, 2)),
                3, 1, 3, 6, 4, 6);
        assertValues(backend, run(backend, new Op.IndexSelect(0), x, upload(backend, Shape.of(1), 1)), 4, 5, 6);
        assertValues(backend, run(backend, new Op.IndexSelect(-1), x, upload(backend, Shape.of(1), 1)), 2, 5);
        assertValues(backend, run(backend, new Op.IndexSelect(1), x, upload(backend, Shape.of(0))));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void indexAddSumsSourceSlicesIntoTheirIndexedRows(Backend backend) {
        Operand src = upload(backend, Shape.of(2, 3), 1, 2, 3, 4, 5, 6);

        assertValues(backend, run(backend, new Op.IndexAdd(1, 2), src, upload(backend, Shape.of(3), 1, 0, 1)),
                2, 4, 5, 10);
        assertValues(backend, run(backend, new Op.IndexAdd(0, 3), src, upload(backend, Shape.of(2), 2, 2)),
                0, 0, 0, 0, 0, 0, 5, 7, 9);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void indexAddIsAdjointOfIndexSelect(Backend backend) {
        Random random = new Random(11);
        double[] x = gaussian(random, 3 * 5 * 4);
        double[] index = {4, 0, 4, 2, 1, 4, 0};
        double[] g = gaussian(random, 3 * 7 * 4);
        Operand indexOperand = upload(backend, Shape.of(7), index);

        double[] selected = run(backend, new Op.IndexSelect(1), upload(backend, Shape.of(3, 5, 4), x), indexOperand);
        double[] scattered = run(backend, new Op.IndexAdd(1, 5), upload(backend, Shape.of(3, 7, 4), g), indexOperand);

        assertSameInnerProduct(backend, "<select(x), g> vs <x, index_add(g)>", selected, g, x, scattered);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void indexValuesMustBeIntegersInRange(Backend backend) {
        Operand x = upload(backend, Shape.of(2, 5), new double[10]);

        assertThatThrownBy(() -> run(backend, new Op.IndexSelect(1), x, upload(backend, Shape.of(4), 0, 1, 2, 7)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("index_select: index[3] = 7.0 is not an integer in [0, 5) (axis 1 of x [2, 5])");
        assertThatThrownBy(() -> run(backend, new Op.IndexSelect(1), x, upload(backend, Shape.of(1), 1.5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("index[0] = 1.5 is not an integer in [0, 5)");
        assertThatThrownBy(() -> run(backend, new Op.IndexSelect(1), x, upload(backend, Shape.of(2), 0, -1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("index[1] = -1.0 is not an integer in [0, 5)");
        assertThatThrownBy(() -> run(backend, new Op.IndexSelect(0), x, upload(backend, Shape.of(1), Double.NaN)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("index[0] = NaN is not an integer in [0, 2)");
        assertThatThrownBy(() -> run(backend, new Op.IndexAdd(1, 2),
                upload(backend, Shape.of(2, 2), 1, 2, 3, 4), upload(backend, Shape.of(2), 0, 2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("index_add: index[1] = 2.0 is not an integer in [0, 2) (axis 1 of result [2, 2])");
    }

    // ---------------------------------------------------------------- weighted gather

    @ParameterizedTest
    @MethodSource("backends")
    void weightedGatherSumsWeightedTapsAndItsAdjointsMatchHandValues(Backend backend) {
        Operand x = upload(backend, Shape.of(2, 3), 1, 2, 3, 10, 20, 30);
        Operand index = upload(backend, Shape.of(2, 2), 0, 2, 2, 2);     // column 0 taps 0 and 2, column 1 taps 2 twice
        Operand w = upload(backend, Shape.of(2, 2), 0.5, 1, 0.25, 2);
        Operand g = upload(backend, Shape.of(2, 2), 1, 2, 3, 4);

        // y[c, 0] = 0.5 x[c, 0] + 0.25 x[c, 2]; y[c, 1] = (1 + 2) x[c, 2]
        assertValues(backend, run(backend, new Op.WeightedGather(), x, index, w), 1.25, 9, 12.5, 90);
        // column 0 of y gets 0.5 g[c, 0], column 2 gets 0.25 g[c, 0] + 1 g[c, 1] + 2 g[c, 1], column 1 nothing
        assertValues(backend, run(backend, new Op.WeightedGatherInputGrad(3), g, index, w), 0.5, 0, 6.25, 1.5, 0, 12.75);
        // dw[j, i] = sum_c g[c, i] x[c, index[j, i]]
        assertValues(backend, run(backend, new Op.WeightedGatherWeightGrad(), g, x, index), 31, 126, 93, 126);
        assertValues(backend, run(backend, new Op.WeightedGather(), x, upload(backend, Shape.of(2, 0)), upload(backend, Shape.of(2, 0))));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void weightedGatherAdjointsSatisfyTheInnerProductIdentities(Backend backend) {
        Random random = new Random(12);
        int channels = 3;
        int k = 50;
        int taps = 4;
        int n = 700;
        double[] x = gaussian(random, channels * k);
        double[] index = new double[taps * n];
        for (int e = 0; e < index.length; e++) {
            index[e] = random.nextInt(k);                                  // many repeats: the scatter must accumulate
        }
        double[] w = gaussian(random, taps * n);
        double[] g = gaussian(random, channels * n);
        Operand xOperand = upload(backend, Shape.of(channels, k), x);
        Operand indexOperand = upload(backend, Shape.of(taps, n), index);
        Operand gOperand = upload(backend, Shape.of(channels, n), g);

        double[] y = run(backend, new Op.WeightedGather(), xOperand, indexOperand, upload(backend, Shape.of(taps, n), w));
        double[] dx = run(backend, new Op.WeightedGatherInputGrad(k), gOperand, indexOperand, upload(backend, Shape.of(taps, n), w));
        double[] dw = run(backend, new Op.WeightedGatherWeightGrad(), gOperand, xOperand, indexOperand);

        assertSameInnerProduct(backend, "<gather(x, w), g> vs <x, input_grad(g, w)>", y, g, x, dx);
        assertSameInnerProduct(backend, "<gather(x, w), g> vs <w, weight_grad(g, x)>", y, g, w, dw);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void weightedGatherIndicesMustBeIntegersInRange(Backend backend) {
        Operand x = upload(backend, Shape.of(1, 3), 1, 2, 3);
        Operand bad = upload(backend, Shape.of(1, 2), 0, 3);
        Operand w = upload(backend, Shape.of(1, 2), 1, 1);

        assertThatThrownBy(() -> run(backend, new Op.WeightedGather(), x, bad, w))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("weighted_gather: index[1] = 3.0 is not an integer in [0, 3) (columns of x [1, 3])");
        assertThatThrownBy(() -> run(backend, new Op.WeightedGatherInputGrad(2), upload(backend, Shape.of(1, 2), 1, 1), bad, w))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("weighted_gather_input_grad: index[1] = 3.0 is not an integer in [0, 2) (columns of result [1, 2])");
        assertThatThrownBy(() -> run(backend, new Op.WeightedGatherWeightGrad(), upload(backend, Shape.of(1, 2), 1, 1), x,
                upload(backend, Shape.of(1, 2), 0.5, 0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("index[0] = 0.5 is not an integer in [0, 3)");
        assertThatThrownBy(() -> new Op.WeightedGather().outputShape(List.of(Shape.of(1, 3), Shape.of(2, 2), Shape.of(2, 3))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("weighted_gather: index [2, 2] and w [2, 3] must both be [J, N]");
    }

    // ---------------------------------------------------------------- matrix product

    @ParameterizedTest
    @MethodSource("backends")
    void matMulMultipliesWithOptionalTransposes(Backend backend) {
        Operand a = upload(backend, Shape.of(2, 3), 1, 2, 3, 4, 5, 6);
        Operand aT = upload(backend, Shape.of(3, 2), 1, 4, 2, 5, 3, 6);
        Operand b = upload(backend, Shape.of(3, 2), 7, 8, 9, 10, 11, 12);
        Operand bT = upload(backend, Shape.of(2, 3), 7, 9, 11, 8, 10, 12);

        assertValues(backend, run(backend, new Op.MatMul(false, false), a, b), 58, 64, 139, 154);
        assertValues(backend, run(backend, new Op.MatMul(true, false), aT, b), 58, 64, 139, 154);
        assertValues(backend, run(backend, new Op.MatMul(false, true), a, bT), 58, 64, 139, 154);
        assertValues(backend, run(backend, new Op.MatMul(true, true), aT, bT), 58, 64, 139, 154);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void matMulKeepsBatchesApart(Backend backend) {
        Operand a = upload(backend, Shape.of(2, 1, 2), 1, 2, 5, 6);

        assertValues(backend, run(backend, new Op.MatMul(false, false), a, upload(backend, Shape.of(2, 2, 1), 3, 4, 7, 8)),
                11, 83);
        assertValues(backend, run(backend, new Op.MatMul(false, true), a, upload(backend, Shape.of(2, 1, 2), 3, 4, 7, 8)),
                11, 83);
    }

    // ---------------------------------------------------------------- convolution

    @ParameterizedTest
    @MethodSource("backends")
    void convSlidesKernelOverInput(Backend backend) {
        Operand x = upload(backend, Shape.of(1, 1, 3, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9);
        Operand w = upload(backend, Shape.of(1, 1, 2, 2), 1, 2, 3, 4);

        assertValues(backend, run(backend, new Op.Conv2d(ConvGeometry.of(1, 0)), x, w), 37, 47, 67, 77);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void convHonoursStrideAndZeroPadding(Backend backend) {
        Operand x = upload(backend, Shape.of(1, 1, 3, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9);
        Operand w = upload(backend, Shape.of(1, 1, 2, 2), 1, 2, 3, 4);

        assertValues(backend, run(backend, new Op.Conv2d(ConvGeometry.of(2, 1)), x, w), 4, 18, 36, 77);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void convHonoursDilation(Backend backend) {
        Operand x = upload(backend, Shape.of(1, 1, 4, 4), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
        Operand w = upload(backend, Shape.of(1, 1, 2, 2), 1, 2, 3, 4);

        assertValues(backend, run(backend, new Op.Conv2d(new ConvGeometry(1, 1, 0, 0, 2, 2, 1)), x, w), 78, 88, 118, 128);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void convSumsOverInputChannelsAndKeepsBatchesApart(Backend backend) {
        Operand x = upload(backend, Shape.of(2, 2, 1, 2), 1, 2, 3, 4, 5, 6, 7, 8);
        Operand w = upload(backend, Shape.of(1, 2, 1, 1), 10, 1);

        assertValues(backend, run(backend, new Op.Conv2d(ConvGeometry.of(1, 0)), x, w), 13, 24, 57, 68);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void convGroupsSeeOnlyTheirOwnChannels(Backend backend) {
        Operand x = upload(backend, Shape.of(1, 2, 2, 2), 1, 2, 3, 4, 5, 6, 7, 8);
        Operand w = upload(backend, Shape.of(4, 1, 1, 1), 1, -1, 2, 0.5);

        assertValues(backend, run(backend, new Op.Conv2d(ConvGeometry.of(1, 0).withGroups(2)), x, w),
                1, 2, 3, 4,
                -1, -2, -3, -4,
                10, 12, 14, 16,
                2.5, 3, 3.5, 4);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void convInputGradSpreadsKernelScaledByGradient(Backend backend) {
        Operand dy = upload(backend, Shape.of(1, 1, 2, 2), 1, 2, 3, 4);
        Operand w = upload(backend, Shape.of(1, 1, 2, 2), 1, 2, 3, 4);

        // Row 4 is below every stride-2 window, so it gets no gradient.
        assertValues(backend, run(backend, new Op.Conv2dInputGrad(ConvGeometry.of(2, 0), 5, 4), dy, w),
                1, 2, 2, 4,
                3, 4, 6, 8,
                3, 6, 4, 8,
                9, 12, 12, 16,
                0, 0, 0, 0);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void convWeightGradCorrelatesInputWithGradient(Backend backend) {
        Operand x = upload(backend, Shape.of(1, 1, 3, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9);
        Operand dy = upload(backend, Shape.of(1, 1, 2, 2), 1, 0, 0, 1);

        assertValues(backend, run(backend, new Op.Conv2dWeightGrad(ConvGeometry.of(1, 0), 2, 2), x, dy), 6, 8, 12, 14);
        assertValues(backend, run(backend, new Op.Conv2dWeightGrad(ConvGeometry.of(2, 1), 2, 2), x, dy), 5, 6, 8, 10);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void convInputGradIsAdjointOfConv(Backend backend) {
        for (int i = 0; i < CONV_CASES.size(); i++) {
            ConvCase c = CONV_CASES.get(i);
            Random random = new Random(100 + i);
            double[] x = gaussian(random, (int) c.x.numel());
            double[] w = gaussian(random, (int) c.w.numel());
            Op.Conv2d conv = new Op.Conv2d(c.geometry);
            Shape yShape = conv.outputShape(List.of(c.x, c.w));
            double[] g = gaussian(random, (int) yShape.numel());

            double[] y = run(backend, conv, upload(backend, c.x, x), upload(backend, c.w, w));
            double[] dx = run(backend, new Op.Conv2dInputGrad(c.geometry, c.x.dim(2), c.x.dim(3)),
                    upload(backend, yShape, g), upload(backend, c.w, w));

            assertSameInnerProduct(backend, "<conv(x, w), g> vs <x, convInputGrad(g, w)> for " + c, y, g, x, dx);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void convWeightGradIsAdjointOfConv(Backend backend) {
        for (int i = 0; i < CONV_CASES.size(); i++) {
            ConvCase c = CONV_CASES.get(i);
            Random random = new Random(100 + i);
            double[] x = gaussian(random, (int) c.x.numel());
            double[] w = gaussian(random, (int) c.w.numel());
            Op.Conv2d conv = new Op.Conv2d(c.geometry);
            Shape yShape = conv.outputShape(List.of(c.x, c.w));
            double[] g = gaussian(random, (int) yShape.numel());

            double[] y = run(backend, conv, upload(backend, c.x, x), upload(backend, c.w, w));
            double[] dw = run(backend, new Op.Conv2dWeightGrad(c.geometry, c.w.dim(2), c.w.dim(3)),
                    upload(backend, c.x, x), upload(backend, yShape, g));

            assertSameInnerProduct(backend, "<conv(x, w), g> vs <w, convWeightGrad(x, g)> for " + c, y, g, w, dw);
        }
    }

    /** One convolution configuration for the adjoint checks. */
    private record ConvCase(Shape x, Shape w, ConvGeometry geometry) {}

    private static final List<ConvCase> CONV_CASES = List.of(
            new ConvCase(Shape.of(2, 3, 5, 4), Shape.of(4, 3, 3, 2), ConvGeometry.of(1, 0)),
            new ConvCase(Shape.of(2, 3, 7, 6), Shape.of(2, 3, 3, 3), ConvGeometry.of(2, 1)),
            // Unequal strides, paddings and dilations with two groups.
            new ConvCase(Shape.of(2, 4, 7, 6), Shape.of(6, 2, 3, 2), new ConvGeometry(2, 1, 1, 2, 2, 1, 2)),
            // Stride 3 leaves the last input rows and columns outside every window.
            new ConvCase(Shape.of(1, 2, 8, 8), Shape.of(3, 2, 2, 2), ConvGeometry.of(3, 0)));

    // ---------------------------------------------------------------- bilinear sampling

    @ParameterizedTest
    @MethodSource("backends")
    void gridSampleInterpolatesBilinearlyAndReadsZeroOutsideTheImage(Backend backend) {
        Operand x = upload(backend, Shape.of(1, 2, 2, 2), 1, 2, 3, 4, 10, 20, 30, 40);
        // Pixel centres sit at -0.5 and 0.5 in grid units; -1 and 1 are the outer edges of the image.
        Operand grid = upload(backend, Shape.of(1, 1, 7, 2),
                0, 0,          // centre of the image: mean of all four pixels
                -0.5, -0.5,    // exactly on pixel (0, 0)
                -1, -1,        // top-left corner: a quarter of pixel (0, 0), three taps outside
                1, 0,          // right edge: half of the right column, two taps outside
                0.5, -0.5,     // exactly on pixel (0, 1)
                2, 2,          // entirely outside
                0.25, 0);      // three quarters of the way to the right column

        assertValues(backend, run(backend, new Op.GridSample(), x, grid),
                2.5, 1, 0.25, 1.5, 2, 0, 2.75,
                25, 10, 2.5, 15, 20, 0, 27.5);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void gridSampleReadsGridXAlongWidthAndGridYAlongHeight(Backend backend) {
        Operand x = upload(backend, Shape.of(1, 1, 2, 3), 1, 2, 3, 4, 5, 6);
        Operand grid = upload(backend, Shape.of(1, 1, 2, 2), 0, 0, -0.5, 0.5);

        assertValues(backend, run(backend, new Op.GridSample(), x, grid), 3.5, 4.25);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void gridSampleInputGradSpreadsGradientWithSampleWeights(Backend backend) {
        Operand dy = upload(backend, Shape.of(1, 1, 1, 2), 1, 2);
        Operand grid = upload(backend, Shape.of(1, 1, 2, 2), 0, 0, -1, -1);

        assertValues(backend, run(backend, new Op.GridSampleInputGrad(2, 2), dy, grid), 0.75, 0.25, 0.25, 0.25);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void gridSampleInputGradIsAdjointOfGridSample(Backend backend) {
        Random random = new Random(5);
        Shape xShape = Shape.of(2, 3, 4, 5);
        Shape gridShape = Shape.of(2, 3, 6, 2);
        double[] x = gaussian(random, (int) xShape.numel());
        // Beyond [-1, 1] on purpose, so that some taps fall outside the image.
        double[] grid = uniform(random, (int) gridShape.numel(), -1.3, 1.3);
        double[] g = gaussian(random, 2 * 3 * 3 * 6);
        Operand gridOperand = upload(backend, gridShape, grid);

        double[] y = run(backend, new Op.GridSample(), upload(backend, xShape, x), gridOperand);
        double[] dx = run(backend, new Op.GridSampleInputGrad(4, 5), upload(backend, Shape.of(2, 3, 3, 6), g), gridOperand);

        assertSameInnerProduct(backend, "<gridSample(x, grid), g> vs <x, gridSampleInputGrad(g, grid)>", y, g, x, dx);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void gridSampleGridGradMatchesHandDerivatives(Backend backend) {
        Operand square = upload(backend, Shape.of(1, 1, 2, 2), 1, 2, 3, 4);
        Operand grid = upload(backend, Shape.of(1, 1, 3, 2), 0, 0, -1, -1, 1, 0);
        Operand dy = upload(backend, Shape.of(1, 1, 1, 3), 3, 1, 1);

        assertValues(backend, run(backend, new Op.GridSampleGridGrad(), square, grid, dy),
                3, 6,       // centre: d/dix = 1, d/diy = 2, times dy = 3
                0.5, 0.5,   // corner: only the in-image tap (0, 0) moves the value
                -3, 1);     // right edge: the outside column reads 0, so moving right loses value

        // Width 3, height 2: d/dgx = d/dix * 3/2, d/dgy = d/diy * 2/2.
        Operand wide = upload(backend, Shape.of(1, 1, 2, 3), 1, 2, 3, 4, 5, 6);
        assertValues(backend, run(backend, new Op.GridSampleGridGrad(), wide,
                        upload(backend, Shape.of(1, 1, 1, 2), -0.5, 0.5), upload(backend, Shape.of(1, 1, 1, 1), 2)),
                3, -8.5);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void gridSampleGridGradMatchesCentralDifferences(Backend backend) {
        Random random = new Random(17);
        int h = 4;
        int w = 5;
        Shape xShape = Shape.of(1, 2, h, w);
        Shape gridShape = Shape.of(1, 3, 4, 2);
        double[] x = gaussian(random, (int) xShape.numel());
        double[] dy = gaussian(random, 2 * 3 * 4);
        // Points inside a cell (including the half-outside border cells), away from its edges so that a step of h d
        // never crosses one; on multiples of 2^-10 so that grid +- h d is exact in float32 too.
        double[] grid = new double[(int) gridShape.numel()];
        double[] direction = new double[grid.length];
        for (int i = 0; i < grid.length; i += 2) {
            grid[i] = gridValueInCell(random, w);
            grid[i + 1] = gridValueInCell(random, h);
        }
        for (int i = 0; i < direction.length; i++) {
            direction[i] = (random.nextInt(33) - 16) / 16.0;
        }
        double step = 1.0 / 32;
        Operand xOperand = upload(backend, xShape, x);

        double[] plus = run(backend, new Op.GridSample(), xOperand, upload(backend, gridShape, shifted(grid, direction, step)));
        double[] minus = run(backend, new Op.GridSample(), xOperand, upload(backend, gridShape, shifted(grid, direction, -step)));
        double[] dgrid = run(backend, new Op.GridSampleGridGrad(), xOperand, upload(backend, gridShape, grid),
                upload(backend, Shape.of(1, 2, 3, 4), dy));

        // Sampling is bilinear in (ix, iy) within a cell, so the central difference is exact up to rounding.
        double centralDifference = (dot(dy, plus) - dot(dy, minus)) / (2 * step);
        double scale = (absDot(dy, plus) + absDot(dy, minus)) / (2 * step) + absDot(dgrid, direction);
        assertThat(dot(dgrid, direction)).isCloseTo(centralDifference, within(tolerance(backend) * scale));
    }

    /** A grid coordinate whose pixel coordinate lies in [c + 0.25, c + 0.75] for a cell c in [-1, size - 1]. */
    private static double gridValueInCell(Random random, int size) {
        double pixel = random.nextInt(size + 1) - 1 + 0.25 + 0.5 * random.nextDouble();
        double g = (2 * pixel + 1) / size - 1;
        return Math.round(g * 1024) / 1024.0;
    }

    private static double[] shifted(double[] values, double[] direction, double step) {
        double[] out = new double[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = values[i] + step * direction[i];
        }
        return out;
    }

    // ---------------------------------------------------------------- fixtures

    private static Operand upload(Backend backend, Shape shape, double... values) {
        assertThat(values).as("test values for %s", shape).hasSize(shape.size());
        return new Operand(backend.upload(values), shape);
    }

    private static Operand apply(Backend backend, Op op, Operand... inputs) {
        Shape out = op.outputShape(Arrays.stream(inputs).map(Operand::shape).toList());
        return new Operand(backend.execute(op, out, List.of(inputs)), out);
    }

    /** op(inputs) downloaded; the result's storage is released. */
    private static double[] run(Backend backend, Op op, Operand... inputs) {
        Operand y = apply(backend, op, inputs);
        try {
            double[] values = backend.download(y.storage());
            assertThat(values).as("%s result length", op.name()).hasSize(y.shape().size());
            return values;
        } finally {
            y.storage().release();
        }
    }

    /** Relative tolerance: a few ulps of accumulated rounding in float64, float32 rounding otherwise. */
    private static double tolerance(Backend backend) {
        return switch (backend.dtype()) {
            case FLOAT64 -> 1e-12;
            case FLOAT32 -> 1e-5;
        };
    }

    /** Each value within the backend's tolerance relative to max(1, |expected|); NaN and infinities exactly. */
    private static void assertValues(Backend backend, double[] actual, double... expected) {
        assertThat(actual).as("result length").hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            String where = "element " + i + " of " + Arrays.toString(actual);
            if (Double.isNaN(expected[i])) {
                assertThat(actual[i]).as(where).isNaN();
            } else if (Double.isInfinite(expected[i])) {
                assertThat(actual[i]).as(where).isEqualTo(expected[i]);
            } else {
                double tolerance = tolerance(backend) * Math.max(1, Math.abs(expected[i]));
                assertThat(actual[i]).as(where).isCloseTo(expected[i], within(tolerance));
            }
        }
    }

    /** <a1, b1> == <a2, b2> within the tolerance relative to the larger sum of |products|. */
    private static void assertSameInnerProduct(Backend backend, String what, double[] a1, double[] b1, double[] a2, double[] b2) {
        double scale = Math.max(absDot(a1, b1), absDot(a2, b2));
        assertThat(dot(a2, b2)).as(what).isCloseTo(dot(a1, b1), within(tolerance(backend) * scale));
    }

    private static double dot(double[] a, double[] b) {
        assertThat(a).hasSameSizeAs(b);
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static double absDot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += Math.abs(a[i] * b[i]);
        }
        return sum;
    }

    /** Standard normal values rounded to float32, so every backend receives exactly the same inputs. */
    private static double[] gaussian(Random random, int n) {
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    /** Uniform values in [lo, hi) rounded to float32. */
    private static double[] uniform(Random random, int n, double lo, double hi) {
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (lo + (hi - lo) * random.nextDouble());
        }
        return values;
    }
}
