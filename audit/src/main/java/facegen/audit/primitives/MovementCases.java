package facegen.audit.primitives;

import facegen.audit.AuditCase;
import facegen.audit.AuditInput;
import facegen.engine.ops.Op;
import facegen.engine.tensor.Shape;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import java.util.List;

/** Rows of the movement primitives: reshape, permute, expand, strided slice, pad, concat, flip. */
public final class MovementCases {

    private MovementCases() {}

    /** Every movement row. */
    public static List<AuditCase> cases() {
        return List.of(
                AuditCase.primitive(new Op.Reshape(Shape.of(4, 6))).inputs(AuditInput.normal("x", 301, 2, 3, 4))
                        .torch(t -> t.get(0).reshape(4, 6)).build(),
                AuditCase.primitive(new Op.Permute(new int[] {2, 0, 1})).inputs(AuditInput.normal("x", 302, 2, 3, 4))
                        .torch(t -> t.get(0).permute(2, 0, 1)).build(),
                AuditCase.primitive(new Op.Expand(Shape.of(2, 3, 4))).inputs(AuditInput.normal("x", 303, 3, 1))
                        .torch(t -> t.get(0).expand(2, 3, 4)).build(),
                // steps 2, 4, 2: axis 0 ends on the last element, axes 1 and 2 stop short of it (the adjoint's
                // interleaved zeros then overrun the input and must be cut)
                AuditCase.primitive(new Op.Slice(new int[] {1, 0, 1}, new int[] {5, 6, 4}, new int[] {2, 4, 2}))
                        .inputs(AuditInput.normal("x", 304, 5, 6, 4))
                        .torch(t -> t.get(0).slice(0, new LongOptional(1), new LongOptional(5), 2)
                                .slice(1, new LongOptional(0), new LongOptional(6), 4)
                                .slice(2, new LongOptional(1), new LongOptional(4), 2)).build(),
                AuditCase.primitive(new Op.Pad(new int[] {0, 1, 2}, new int[] {1, 0, 3}))
                        .inputs(AuditInput.normal("x", 305, 2, 3, 4))
                        // torch lists (before, after) pairs from the last axis to the first
                        .torch(t -> torch.constant_pad_nd(t.get(0), 2, 3, 1, 0, 0, 1)).build(),
                AuditCase.primitive(new Op.Concat(1, 3))
                        .inputs(AuditInput.normal("a", 306, 2, 1, 4), AuditInput.normal("b", 307, 2, 3, 4),
                                AuditInput.normal("c", 308, 2, 2, 4))
                        .torch(t -> torch.cat(new TensorVector(t.get(0), t.get(1), t.get(2)), 1)).build(),
                AuditCase.primitive(new Op.Flip(new int[] {0, 2})).inputs(AuditInput.normal("x", 309, 2, 3, 4))
                        .torch(t -> t.get(0).flip(0, 2)).build());
    }
}
