package facegen.audit.primitives;

import facegen.audit.AuditCase;
import facegen.audit.AuditInput;
import facegen.audit.Derivative;
import facegen.engine.ops.Op;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.global.torch;

import java.util.List;

/** Rows of the elementwise primitives: unary, binary with broadcasting, comparisons and where. */
public final class ElementwiseCases {

    private ElementwiseCases() {}

    /** Every elementwise row. */
    public static List<AuditCase> cases() {
        return List.of(
                AuditCase.primitive(new Op.Neg()).inputs(AuditInput.normal("x", 101, 2, 3, 4))
                        .torch(t -> t.get(0).neg()).build(),
                AuditCase.primitive(new Op.Exp()).inputs(AuditInput.normal("x", 102, 2, 3, 4))
                        .torch(t -> t.get(0).exp()).build(),
                AuditCase.primitive(new Op.Exp()).variant("strided")       // a strided, permuted view as input
                        .inputs(AuditInput.normal("x", 103, 4, 3, 6))
                        .f(in -> in.get(0).slice(new int[] {0, 0, 1}, new int[] {4, 3, 6}, new int[] {2, 1, 2})
                                .permute(1, 0, 2).exp())
                        .torch(t -> t.get(0).slice(0, new LongOptional(0), new LongOptional(4), 2)
                                .slice(2, new LongOptional(1), new LongOptional(6), 2).permute(1, 0, 2).exp()).build(),
                AuditCase.primitive(new Op.Exp()).variant("blocked")       // 2 x 2^16 + tail: the cpu kernel's
                        .inputs(AuditInput.normal("x", 108, 2 * 65536 + 37))   // threaded, vector and tail paths
                        .torch(t -> t.get(0).exp()).build(),
                AuditCase.primitive(new Op.Log()).inputs(AuditInput.uniform("x", 104, 0.5, 2, 2, 3, 4))
                        .torch(t -> t.get(0).log()).build(),
                AuditCase.primitive(new Op.Sqrt()).inputs(AuditInput.uniform("x", 105, 0.5, 2, 2, 3, 4))
                        .torch(t -> t.get(0).sqrt()).build(),
                AuditCase.primitive(new Op.Sin()).inputs(AuditInput.uniform("x", 106, -3, 3, 2, 3, 4))
                        .torch(t -> t.get(0).sin()).build(),
                AuditCase.primitive(new Op.Cos()).inputs(AuditInput.uniform("x", 107, -3, 3, 2, 3, 4))
                        .torch(t -> t.get(0).cos()).build(),

                AuditCase.primitive(new Op.Add())
                        .inputs(AuditInput.normal("a", 111, 2, 3, 4), AuditInput.normal("b", 112, 3, 1))
                        .torch(t -> t.get(0).add(t.get(1))).build(),
                AuditCase.primitive(new Op.Add()).variant("permuted")      // a permuted operand, broadcast b
                        .inputs(AuditInput.normal("a", 113, 4, 2, 3), AuditInput.normal("b", 114, 4))
                        .f(in -> in.get(0).permute(1, 2, 0).add(in.get(1)))
                        .torch(t -> t.get(0).permute(1, 2, 0).add(t.get(1))).build(),
                AuditCase.primitive(new Op.Sub())                          // the first operand broadcasts
                        .inputs(AuditInput.normal("a", 115, 3, 1), AuditInput.normal("b", 116, 2, 3, 4))
                        .torch(t -> t.get(0).sub(t.get(1))).build(),
                AuditCase.primitive(new Op.Mul())
                        .inputs(AuditInput.normal("a", 117, 2, 3, 4), AuditInput.normal("b", 118, 4))
                        .torch(t -> t.get(0).mul(t.get(1))).build(),
                AuditCase.primitive(new Op.Mul()).variant("self")          // x * x: both terms must accumulate
                        .inputs(AuditInput.normal("x", 135, 2, 3, 4))
                        .f(in -> in.get(0).mul(in.get(0)))
                        .torch(t -> t.get(0).mul(t.get(0))).build(),
                AuditCase.primitive(new Op.Mul()).variant("scalar")        // a rank-0 operand (a learnable gain)
                        .inputs(AuditInput.normal("a", 131, 2, 3, 4), AuditInput.normal("b", 132))
                        .torch(t -> t.get(0).mul(t.get(1))).build(),
                AuditCase.primitive(new Op.Mul()).variant("blocked")       // broadcast rows over > 2 x 2^16 elements
                        .inputs(AuditInput.normal("a", 133, 3, 45_001), AuditInput.normal("b", 134, 45_001))
                        .torch(t -> t.get(0).mul(t.get(1))).build(),
                AuditCase.primitive(new Op.Div())                          // |b| >= 0.5 keeps 1/b^2 tame
                        .inputs(AuditInput.normal("a", 119, 2, 3, 4), AuditInput.signedMagnitude("b", 120, 0.5, 2, 2, 1, 4))
                        .torch(t -> t.get(0).div(t.get(1))).build(),
                AuditCase.primitive(new Op.Pow())                          // positive bases: a^b ln a is real
                        .inputs(AuditInput.uniform("a", 121, 0.5, 2, 2, 3, 4), AuditInput.uniform("b", 122, -2, 2, 3, 1))
                        .torch(t -> t.get(0).pow(t.get(1))).build(),
                AuditCase.primitive(new Op.Pow()).variant("zero_base")     // torch's convention at a = 0 (d/db = 0,
                        .inputs(                                           // d/da = b 0^(b-1)); not smooth there
                                AuditInput.values("a", new double[] {0, 0.5, 0, 1.5, 2, 0}, 2, 3),
                                AuditInput.values("b", new double[] {1, 2, 2.5, 0.5, 1.5, 3}, 2, 3))
                        .firstOrder(Derivative.NOT_DIFFERENTIABLE).secondOrder(Derivative.NOT_DIFFERENTIABLE)
                        .torch(t -> t.get(0).pow(t.get(1))).build(),
                AuditCase.primitive(new Op.Maximum())                      // lattices 0.125 apart: no near-ties
                        .inputs(AuditInput.distinct("a", 123, 0, 2, 3, 4), AuditInput.distinct("b", 124, 0.125, 3, 4))
                        .torch(t -> t.get(0).maximum(t.get(1))).build(),
                AuditCase.primitive(new Op.Maximum()).variant("ties")      // exact ties: each side gets half
                        .inputs(tiedPair("a", "b"))
                        .firstOrder(Derivative.NOT_DIFFERENTIABLE).secondOrder(Derivative.NOT_DIFFERENTIABLE)
                        .torch(t -> t.get(0).maximum(t.get(1))).build(),
                AuditCase.primitive(new Op.Minimum())
                        .inputs(AuditInput.distinct("a", 125, 0, 2, 3, 4), AuditInput.distinct("b", 126, 0.125, 3, 4))
                        .torch(t -> t.get(0).minimum(t.get(1))).build(),
                AuditCase.primitive(new Op.Minimum()).variant("ties")
                        .inputs(tiedPair("a", "b"))
                        .firstOrder(Derivative.NOT_DIFFERENTIABLE).secondOrder(Derivative.NOT_DIFFERENTIABLE)
                        .torch(t -> t.get(0).minimum(t.get(1))).build(),
                AuditCase.primitive(new Op.Less())                         // masks: piecewise constant, no fd
                        .inputs(comparedPair("a", "b"))
                        .firstOrder(Derivative.NOT_DIFFERENTIABLE).secondOrder(Derivative.NOT_DIFFERENTIABLE)
                        .torch(t -> t.get(0).lt(t.get(1)).toType(torch.ScalarType.Double)).build(),
                AuditCase.primitive(new Op.Equal())
                        .inputs(comparedPair("a", "b"))
                        .firstOrder(Derivative.NOT_DIFFERENTIABLE).secondOrder(Derivative.NOT_DIFFERENTIABLE)
                        .torch(t -> t.get(0).eq(t.get(1)).toType(torch.ScalarType.Double)).build(),
                AuditCase.primitive(new Op.Where())                        // cond, a and b all broadcast
                        .inputs(AuditInput.mask("cond", 127, 3, 1), AuditInput.normal("a", 128, 2, 3, 4),
                                AuditInput.normal("b", 129, 4))
                        .torch(t -> torch.where(t.get(0).ne(t.get(0).new_zeros(1)), t.get(1), t.get(2))).build());
    }

    /**
     * a [2, 3] and b [2, 3] equal at half the positions (exact in float32), apart by >= 0.5 elsewhere: the tie
     * convention (half of the gradient to each side, as torch.maximum) is compared with torch only.
     */
    private static AuditInput[] tiedPair(String a, String b) {
        return new AuditInput[] {
                AuditInput.values(a, new double[] {1, -0.5, 2, 0.25, 3, -1}, 2, 3),
                AuditInput.values(b, new double[] {1, 0.5, 2, -0.75, 3, 1}, 2, 3)};
    }

    /** a [2, 3, 4] and b [3, 4] (broadcast) with a[0] == b at every other position and b != a by >= 0.25 elsewhere. */
    private static AuditInput[] comparedPair(String a, String b) {
        AuditInput x = AuditInput.distinct(a, 130, 0, 2, 3, 4).constant();
        double[] y = new double[12];
        for (int i = 0; i < y.length; i++) {
            y[i] = x.values()[i] + (i % 2 == 0 ? 0 : (i % 4 == 1 ? 0.25 : -0.25));
        }
        return new AuditInput[] {x, AuditInput.values(b, y, 3, 4).constant()};
    }
}
