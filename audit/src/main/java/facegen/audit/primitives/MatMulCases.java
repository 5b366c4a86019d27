package facegen.audit.primitives;

import facegen.audit.AuditCase;
import facegen.audit.AuditInput;
import facegen.engine.ops.Op;
import facegen.engine.tensor.Tensor;

import java.util.List;

/**
 * Rows of the batched matrix product and its transposed-operand variants (ranks 2, 3 and 4). The "blocked" rows
 * are big enough to cross the cpu GEMM's register tile (5 rows x 16 columns on AVX2), its k-block (256) and its
 * threading threshold (2 m n k >= 2^21), each with a ragged tail.
 */
public final class MatMulCases {

    private MatMulCases() {}

    /** Every matmul row. */
    public static List<AuditCase> cases() {
        return List.of(
                AuditCase.primitive(new Op.MatMul(false, false))
                        .inputs(AuditInput.normal("a", 501, 2, 3, 4), AuditInput.normal("b", 502, 2, 4, 5))
                        .torch(t -> t.get(0).matmul(t.get(1))).build(),
                AuditCase.primitive(new Op.MatMul(true, false)).variant("tA")
                        .inputs(AuditInput.normal("a", 503, 4, 3), AuditInput.normal("b", 504, 4, 5))
                        .torch(t -> t.get(0).mT().matmul(t.get(1))).build(),
                AuditCase.primitive(new Op.MatMul(false, true)).variant("tB")
                        .inputs(AuditInput.normal("a", 505, 2, 3, 4), AuditInput.normal("b", 506, 2, 5, 4))
                        .torch(t -> t.get(0).matmul(t.get(1).mT())).build(),
                AuditCase.primitive(new Op.MatMul(true, true)).variant("tAtB")
                        .inputs(AuditInput.normal("a", 507, 2, 2, 4, 3), AuditInput.normal("b", 508, 2, 2, 5, 4))
                        .torch(t -> t.get(0).mT().matmul(t.get(1).mT())).build(),
                AuditCase.primitive(new Op.MatMul(false, false)).variant("blocked")
                        .inputs(AuditInput.normal("a", 511, 37, 300), AuditInput.normal("b", 512, 300, 100))
                        .torch(t -> t.get(0).matmul(t.get(1))).build(),
                AuditCase.primitive(new Op.MatMul(true, true)).variant("tAtB_blocked")
                        .inputs(AuditInput.normal("a", 513, 300, 37), AuditInput.normal("b", 514, 100, 300))
                        .torch(t -> t.get(0).mT().matmul(t.get(1).mT())).build(),
                AuditCase.primitive(new Op.MatMul(false, false)).variant("permuted")
                        .inputs(AuditInput.normal("a", 509, 3, 2, 4), AuditInput.normal("b", 510, 2, 4, 5))
                        .f(in -> Tensor.apply(new Op.MatMul(false, false), in.get(0).permute(1, 0, 2), in.get(1)))
                        .torch(t -> t.get(0).permute(1, 0, 2).matmul(t.get(1))).build());
    }
}
