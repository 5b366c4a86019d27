package facegen.audit.primitives;

import facegen.audit.AuditCase;
import facegen.audit.AuditInput;
import facegen.engine.ops.Op;
import org.bytedeco.pytorch.global.torch;

import java.util.List;

/** Rows of gather (index_select) and scatter-add (index_add); indices repeat so gradients must accumulate. */
public final class IndexCases {

    private IndexCases() {}

    /** Every gather/scatter row. */
    public static List<AuditCase> cases() {
        return List.of(
                AuditCase.primitive(new Op.IndexSelect(1))
                        .inputs(AuditInput.normal("x", 401, 3, 5, 2), AuditInput.index("index", 4, 0, 2, 2, 1, 4))
                        .torch(t -> t.get(0).index_select(1, t.get(1).toType(torch.ScalarType.Long))).build(),
                AuditCase.primitive(new Op.IndexSelect(0)).variant("axis0") // rows of a table, as vertex gathers
                        .inputs(AuditInput.normal("x", 403, 5, 3), AuditInput.index("index", 1, 1, 4, 0))
                        .torch(t -> t.get(0).index_select(0, t.get(1).toType(torch.ScalarType.Long))).build(),
                AuditCase.primitive(new Op.IndexAdd(1, 4))
                        .inputs(AuditInput.normal("src", 402, 3, 6, 2), AuditInput.index("index", 3, 0, 1, 1, 3, 2))
                        .torch(t -> t.get(0).new_zeros(3, 4, 2)
                                .index_add(1, t.get(1).toType(torch.ScalarType.Long), t.get(0))).build(),
                AuditCase.primitive(new Op.IndexAdd(0, 5)).variant("axis0") // scatter onto rows; row 3 gets none
                        .inputs(AuditInput.normal("src", 404, 4, 3), AuditInput.index("index", 4, 0, 4, 1))
                        .torch(t -> t.get(0).new_zeros(5, 3)
                                .index_add(0, t.get(1).toType(torch.ScalarType.Long), t.get(0))).build());
    }
}
