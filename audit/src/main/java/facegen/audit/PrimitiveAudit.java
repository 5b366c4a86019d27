package facegen.audit;

import facegen.audit.primitives.ConvCases;
import facegen.audit.primitives.ElementwiseCases;
import facegen.audit.primitives.GridSampleCases;
import facegen.audit.primitives.IndexCases;
import facegen.audit.primitives.MatMulCases;
import facegen.audit.primitives.MovementCases;
import facegen.audit.primitives.ReductionCases;
import facegen.audit.primitives.WeightedGatherCases;

import java.util.ArrayList;
import java.util.List;

/**
 * The primitive rows of the audit: at least one case per {@link facegen.engine.ops.Op} record (a test walks the
 * sealed hierarchy to keep it so), plus variants where semantics differ (transposes, strides, groups, ties,
 * permuted or sliced operands), in the order of {@code Op}.
 */
public final class PrimitiveAudit {

    private PrimitiveAudit() {}

    /** Every primitive case, in {@code Op} order. */
    public static List<AuditCase> cases() {
        List<AuditCase> all = new ArrayList<>();
        all.addAll(ElementwiseCases.cases());
        all.addAll(ReductionCases.cases());
        all.addAll(MovementCases.cases());
        all.addAll(IndexCases.cases());
        all.addAll(WeightedGatherCases.cases());
        all.addAll(MatMulCases.cases());
        all.addAll(ConvCases.cases());
        all.addAll(GridSampleCases.cases());
        return List.copyOf(all);
    }
}
