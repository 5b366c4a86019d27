package facegen.audit.primitives;

import facegen.audit.AuditCase;
import facegen.audit.AuditInput;
import facegen.audit.Derivative;
import facegen.engine.ops.Op;
import facegen.engine.tensor.Tensor;
import org.bytedeco.pytorch.ScalarTypeOptional;

import java.util.List;

/** Rows of the reductions (sum, max); reduced axes keep extent 1, as torch's keepdim=True. */
public final class ReductionCases {

    private ReductionCases() {}

    /** Every reduction row. */
    public static List<AuditCase> cases() {
        return List.of(
                AuditCase.primitive(new Op.Sum(new int[] {0, 2})).inputs(AuditInput.normal("x", 201, 2, 3, 4))
                        .torch(t -> t.get(0).sum(new long[] {0, 2}, true, new ScalarTypeOptional())).build(),
                AuditCase.primitive(new Op.Sum(new int[] {0, 1, 2})).variant("all")
                        .inputs(AuditInput.normal("x", 202, 2, 3, 4))
                        .torch(t -> t.get(0).sum(new long[] {0, 1, 2}, true, new ScalarTypeOptional())).build(),
                AuditCase.primitive(new Op.Sum(new int[] {1})).variant("permuted")
                        .inputs(AuditInput.normal("x", 203, 4, 2, 3))
                        .f(in -> Tensor.apply(new Op.Sum(new int[] {1}), in.get(0).permute(1, 2, 0)))
                        .torch(t -> t.get(0).permute(1, 2, 0).sum(new long[] {1}, true, new ScalarTypeOptional())).build(),
                AuditCase.primitive(new Op.Sum(new int[] {1})).variant("blocked") // rows > 2^17: the cpu kernel's
                        .inputs(AuditInput.normal("x", 206, 2, 140_001))   // threaded, blocked, tail paths
                        .torch(t -> t.get(0).sum(new long[] {1}, true, new ScalarTypeOptional())).build(),
                AuditCase.primitive(new Op.Max(new int[] {1}))             // distinct values: a unique winner
                        .inputs(AuditInput.distinct("x", 204, 0, 2, 3, 4))
                        .torch(t -> t.get(0).amax(new long[] {1}, true)).build(),
                AuditCase.primitive(new Op.Max(new int[] {0, 2})).variant("multi")
                        .inputs(AuditInput.distinct("x", 205, 0, 2, 3, 4))
                        .torch(t -> t.get(0).amax(new long[] {0, 2}, true)).build(),
                AuditCase.primitive(new Op.Max(new int[] {1})).variant("ties") // winners share evenly, as torch.amax
                        .inputs(AuditInput.values("x", new double[] {1, 3, 3, 2, 2, 2, -1, 0.5, -4}, 3, 3))
                        .firstOrder(Derivative.NOT_DIFFERENTIABLE).secondOrder(Derivative.NOT_DIFFERENTIABLE)
                        .torch(t -> t.get(0).amax(new long[] {1}, true)).build());
    }
}
