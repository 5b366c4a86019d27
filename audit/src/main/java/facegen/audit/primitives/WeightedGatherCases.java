package facegen.audit.primitives;

import facegen.audit.AuditCase;
import facegen.audit.AuditInput;
import facegen.engine.ops.Op;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.Arrays;
import java.util.List;

/**
 * Rows of the weighted gather y[c, i] = sum_j w[j, i] x[c, index[j, i]] and its two adjoints, each against its
 * libtorch composition (index_select, mul, sum; index_add for the scatter). The index repeats columns within and
 * across taps, and leaves column 2 of x untouched, so the scatter must both accumulate and leave zeros. All three are
 * bilinear, so their second-order rows exercise the closure of the set (each VJP is one of the three).
 */
public final class WeightedGatherCases {
    private static final int C = 2;
    private static final int K = 5;
    private static final int J = 3;
    private static final int N = 4;
    /** index [J, N]: columns of x per tap; 0 and 4 repeat, 2 is never read. */
    private static final int[] INDEX = {0, 4, 1, 4, 3, 0, 4, 4, 1, 0, 3, 0};

    private WeightedGatherCases() {}

    /** Every weighted-gather row. */
    public static List<AuditCase> cases() {
        return List.of(
                AuditCase.primitive(new Op.WeightedGather())
                        .inputs(AuditInput.normal("x", 801, C, K), index(), AuditInput.normal("w", 802, J, N))
                        .torch(t -> gather(t.get(0), t.get(1), t.get(2))).build(),
                AuditCase.primitive(new Op.WeightedGatherInputGrad(K))
                        .inputs(AuditInput.normal("g", 803, C, N), index(), AuditInput.normal("w", 804, J, N))
                        .torch(t -> t.get(0).new_zeros(C, K).index_add(1, flat(t.get(1)),
                                t.get(0).unsqueeze(1).mul(t.get(2)).reshape(C, J * N))).build(),
                AuditCase.primitive(new Op.WeightedGatherWeightGrad())
                        .inputs(AuditInput.normal("g", 805, C, N), AuditInput.normal("x", 806, C, K), index())
                        .torch(t -> t.get(0).unsqueeze(1).mul(taps(t.get(1), t.get(2))).sum(new long[] {0}, false, new ScalarTypeOptional())).build());
    }

    private static AuditInput index() {
        return new AuditInput("index", new int[] {J, N}, Arrays.stream(INDEX).asDoubleStream().toArray(), false);
    }

    /** sum_j w[j, i] x[c, index[j, i]] as torch's gather, product and sum. */
    private static Tensor gather(Tensor x, Tensor index, Tensor w) {
        return taps(x, index).mul(w).sum(new long[] {1}, false, new ScalarTypeOptional());
    }

    /** x[c, index[j, i]] as [C, J, N]. */
    private static Tensor taps(Tensor x, Tensor index) {
        return x.index_select(1, flat(index)).reshape(C, J, N);
    }

    private static Tensor flat(Tensor index) {
        return index.reshape(-1).toType(torch.ScalarType.Long);
    }
}
