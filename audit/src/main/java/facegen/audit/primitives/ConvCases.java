package facegen.audit.primitives;

import facegen.audit.AuditCase;
import facegen.audit.AuditInput;
import facegen.engine.ops.ConvGeometry;
import facegen.engine.ops.Op;
import facegen.engine.tensor.Tensor;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import java.util.List;

/**
 * Rows of conv2d and its two adjoints (input-grad = conv-transpose, weight-grad). Geometries are non-square
 * (H != W, different pads per axis) so a swapped axis shows; strides, dilations and groups get their own rows.
 * The "chunked" rows (x [3, 4, 20, 23]) make the cpu backend split the batch into a chunk of two images (a GEMM
 * wider than one 512-column tile, patches packed straight from the images) and a tail chunk of one, so the
 * weight-gradient accumulates across chunks; "pointwise" is the 1x1 case; the stride-2 rows take the
 * input-grad path through col2im.
 */
public final class ConvCases {

    /** Stride 2 and dilation 2 on both axes, pad 1 on rows and 2 on columns. */
    private static final ConvGeometry S2_D2 = new ConvGeometry(2, 2, 1, 2, 2, 2, 1);
    /** Two groups, dilation 2, pad 2: the output keeps the input's extent. */
    private static final ConvGeometry GROUPS_D2 = new ConvGeometry(1, 1, 2, 2, 2, 2, 2);

    private ConvCases() {}

    /** Every convolution row. */
    public static List<AuditCase> cases() {
        ConvGeometry same = ConvGeometry.of(1, 1);
        ConvGeometry down = ConvGeometry.of(2, 1);
        ConvGeometry valid = ConvGeometry.of(1, 0);
        return List.of(
                AuditCase.primitive(new Op.Conv2d(same))
                        .inputs(AuditInput.normal("x", 601, 2, 3, 6, 7), AuditInput.normal("w", 602, 4, 3, 3, 3))
                        .torch(t -> conv(t.get(0), t.get(1), same)).build(),
                AuditCase.primitive(new Op.Conv2d(S2_D2)).variant("s2_d2")
                        .inputs(AuditInput.normal("x", 603, 1, 2, 7, 6), AuditInput.normal("w", 604, 3, 2, 3, 2))
                        .torch(t -> conv(t.get(0), t.get(1), S2_D2)).build(),
                AuditCase.primitive(new Op.Conv2d(same.withGroups(2))).variant("groups")
                        .inputs(AuditInput.normal("x", 605, 2, 4, 5, 6), AuditInput.normal("w", 606, 6, 2, 3, 3))
                        .torch(t -> conv(t.get(0), t.get(1), same.withGroups(2))).build(),
                AuditCase.primitive(new Op.Conv2d(valid)).variant("permuted")  // x stored NHWC, permuted to NCHW
                        .inputs(AuditInput.normal("x", 607, 2, 6, 7, 3), AuditInput.normal("w", 608, 4, 3, 3, 3))
                        .f(in -> Tensor.apply(new Op.Conv2d(valid), in.get(0).permute(0, 3, 1, 2), in.get(1)))
                        .torch(t -> conv(t.get(0).permute(0, 3, 1, 2), t.get(1), valid)).build(),

                AuditCase.primitive(new Op.Conv2d(same)).variant("chunked")
                        .inputs(AuditInput.normal("x", 609, 3, 4, 20, 23), AuditInput.normal("w", 610, 4, 4, 3, 3))
                        .torch(t -> conv(t.get(0), t.get(1), same)).build(),
                AuditCase.primitive(new Op.Conv2d(valid)).variant("pointwise")
                        .inputs(AuditInput.normal("x", 615, 1, 4, 5, 6), AuditInput.normal("w", 616, 3, 4, 1, 1))
                        .torch(t -> conv(t.get(0), t.get(1), valid)).build(),

                AuditCase.primitive(new Op.Conv2dInputGrad(down, 6, 7))   // dy [2, 4, 3, 4] back to x [2, 3, 6, 7]
                        .inputs(AuditInput.normal("dy", 611, 2, 4, 3, 4), AuditInput.normal("w", 612, 4, 3, 3, 3))
                        .torch(t -> convTranspose(t.get(0), t.get(1), down, 6, 7)).build(),
                AuditCase.primitive(new Op.Conv2dInputGrad(GROUPS_D2, 7, 6)).variant("groups_d2")
                        .inputs(AuditInput.normal("dy", 613, 1, 4, 7, 6), AuditInput.normal("w", 614, 4, 2, 3, 3))
                        .torch(t -> convTranspose(t.get(0), t.get(1), GROUPS_D2, 7, 6)).build(),

                AuditCase.primitive(new Op.Conv2dInputGrad(same, 20, 23)).variant("chunked")
                        .inputs(AuditInput.normal("dy", 617, 3, 4, 20, 23), AuditInput.normal("w", 618, 4, 4, 3, 3))
                        .torch(t -> convTranspose(t.get(0), t.get(1), same, 20, 23)).build(),

                AuditCase.primitive(new Op.Conv2dWeightGrad(down, 3, 3))  // x [2, 3, 6, 7], dy [2, 4, 3, 4]
                        .inputs(AuditInput.normal("x", 621, 2, 3, 6, 7), AuditInput.normal("dy", 622, 2, 4, 3, 4))
                        .torch(t -> weightGrad(t.get(0), t.get(1), down, 3, 3)).build(),
                AuditCase.primitive(new Op.Conv2dWeightGrad(GROUPS_D2, 3, 3)).variant("groups_d2")
                        .inputs(AuditInput.normal("x", 623, 1, 4, 7, 6), AuditInput.normal("dy", 624, 1, 4, 7, 6))
                        .torch(t -> weightGrad(t.get(0), t.get(1), GROUPS_D2, 3, 3)).build(),
                AuditCase.primitive(new Op.Conv2dWeightGrad(same, 3, 3)).variant("chunked")
                        .inputs(AuditInput.normal("x", 625, 3, 4, 20, 23), AuditInput.normal("dy", 626, 3, 4, 20, 23))
                        .torch(t -> weightGrad(t.get(0), t.get(1), same, 3, 3)).build());
    }

    private static org.bytedeco.pytorch.Tensor conv(org.bytedeco.pytorch.Tensor x, org.bytedeco.pytorch.Tensor w,
                                                    ConvGeometry g) {
        return torch.conv2d(x, w, new TensorOptional(), new long[] {g.strideH(), g.strideW()},
                new long[] {g.padH(), g.padW()}, new long[] {g.dilationH(), g.dilationW()}, g.groups());
    }

    /** torch's conv_transpose2d, with the output padding that makes the result inH x inW (stride > 1 is ambiguous). */
    private static org.bytedeco.pytorch.Tensor convTranspose(org.bytedeco.pytorch.Tensor dy, org.bytedeco.pytorch.Tensor w,
                                                             ConvGeometry g, int inH, int inW) {
        long outPadH = inH - ((dy.size(2) - 1) * g.strideH() - 2L * g.padH() + (long) g.dilationH() * (w.size(2) - 1) + 1);
        long outPadW = inW - ((dy.size(3) - 1) * g.strideW() - 2L * g.padW() + (long) g.dilationW() * (w.size(3) - 1) + 1);
        return torch.conv_transpose2d(dy, w, new TensorOptional(), new long[] {g.strideH(), g.strideW()},
                new long[] {g.padH(), g.padW()}, new long[] {outPadH, outPadW}, g.groups(),
                g.dilationH(), g.dilationW());
    }

    /**
     * The weight-gradient of torch's conv2d with seed dy: torch has no differentiable public op for it, so it is
     * taken by autograd with create_graph (conv2d is linear in w, so the zero weight does not matter) and stays
     * differentiable in x and dy.
     */
    private static org.bytedeco.pytorch.Tensor weightGrad(org.bytedeco.pytorch.Tensor x, org.bytedeco.pytorch.Tensor dy,
                                                          ConvGeometry g, int kH, int kW) {
        org.bytedeco.pytorch.Tensor w = x.new_zeros(dy.size(1), x.size(1) / g.groups(), kH, kW);
        w.set_requires_grad(true);
        return torch.grad(new TensorVector(conv(x, w, g)), new TensorVector(w), new TensorVector(dy),
                new BoolOptional(true), true, false).get(0);
    }
}
