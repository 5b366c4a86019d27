package facegen.audit.primitives;

import facegen.audit.AuditCase;
import facegen.audit.AuditInput;
import facegen.audit.Derivative;
import facegen.audit.TorchEquivalent;
import facegen.engine.ops.Op;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import java.util.ArrayList;
import java.util.List;

/**
 * Rows of bilinear grid sampling and its two gradients. Grid coordinates stay away from the bilinear kinks
 * ({@link AuditInput#grid}) so central differences are valid; some samples straddle the border (zero padding).
 *
 * <p>The engine deliberately has no derivative of {@link Op.GridSampleGridGrad}, so every path through it (the
 * grid's second order) is an {@link Derivative#ENGINE_GAP}; "_x" and "_dy" rows keep the grid constant to
 * check the second order that is defined. libtorch has no double backward of grid_sampler_2d either, so the
 * input-grad's torch VJP uses the adjoint identity instead.
 */
public final class GridSampleCases {
    private static final int N = 2;
    private static final int C = 3;
    private static final int H = 5;
    private static final int W = 6;
    private static final int HO = 4;
    private static final int WO = 3;

    private GridSampleCases() {}

    /** Every grid-sample row. */
    public static List<AuditCase> cases() {
        return List.of(
                AuditCase.primitive(new Op.GridSample())
                        .inputs(AuditInput.normal("x", 701, N, C, H, W), grid(702))
                        .secondOrder(Derivative.ENGINE_GAP)
                        .torch(t -> sample(t.get(0), t.get(1))).build(),
                AuditCase.primitive(new Op.GridSample()).variant("x")      // grid constant: second order in x
                        .inputs(AuditInput.normal("x", 703, N, C, H, W), grid(704).constant())
                        .torch(t -> sample(t.get(0), t.get(1))).build(),
                AuditCase.primitive(new Op.GridSampleInputGrad(H, W))
                        .inputs(AuditInput.normal("dy", 705, N, C, HO, WO), grid(706))
                        .secondOrder(Derivative.ENGINE_GAP)
                        .torch(new InputGradTorch()).build(),
                AuditCase.primitive(new Op.GridSampleInputGrad(H, W)).variant("dy")
                        .inputs(AuditInput.normal("dy", 707, N, C, HO, WO), grid(708).constant())
                        .torch(new InputGradTorch()).build(),
                // forward only: its VJP is the engine gap, and torch has no derivative of grid_sampler_2d_backward
                AuditCase.primitive(new Op.GridSampleGridGrad())
                        .inputs(AuditInput.normal("x", 709, N, C, H, W), grid(710), AuditInput.normal("dy", 711, N, C, HO, WO))
                        .firstOrder(Derivative.ENGINE_GAP).secondOrder(Derivative.ENGINE_GAP)
                        .torch(t -> gridGrad(t.get(0), t.get(1), t.get(2))).build());
    }

    private static AuditInput grid(long seed) {
        return AuditInput.grid("grid", seed, N, HO, WO, H, W);
    }

    /** torch's grid_sample(x, grid, mode='bilinear', padding_mode='zeros', align_corners=False). */
    private static Tensor sample(Tensor x, Tensor grid) {
        return torch.grid_sampler(x, grid, 0, 0, false);
    }

    /** d(sum(grid_sample(x, grid) * dy))/d grid by torch's first-order autograd. */
    private static Tensor gridGrad(Tensor x, Tensor grid, Tensor dy) {
        Tensor g = grid.detach().clone();
        g.set_requires_grad(true);
        return torch.grad(new TensorVector(sample(x.detach(), g)), new TensorVector(g), new TensorVector(dy),
                new BoolOptional(false), false, false).get(0);
    }

    /**
     * torch's gradient of grid_sample w.r.t. x for seed dy, and its VJP through the adjoint identity
     * &lt;inputGrad(dy, grid), r&gt; = &lt;dy, grid_sample(r, grid)&gt;: first-order autograd of the right side gives
     * both d/d dy and d/d grid.
     */
    private static final class InputGradTorch implements TorchEquivalent {
        @Override
        public Tensor forward(List<Tensor> in) {
            Tensor dy = in.get(0);
            Tensor z = dy.new_zeros(dy.size(0), dy.size(1), H, W);
            z.set_requires_grad(true);
            return torch.grad(new TensorVector(sample(z, in.get(1))), new TensorVector(z), new TensorVector(dy),
                    new BoolOptional(false), false, false).get(0);
        }

        @Override
        public List<Tensor> vjp(List<Tensor> in, Tensor r) {
            TensorVector wanted = new TensorVector();
            for (Tensor t : in) {
                if (t.requires_grad()) {
                    wanted.push_back(t);
                }
            }
            Tensor adjoint = sample(r, in.get(1)).mul(in.get(0)).sum();
            TensorVector grads = torch.grad(new TensorVector(adjoint), wanted, new TensorVector(torch.ones_like(adjoint)),
                    new BoolOptional(false), false, false);
            List<Tensor> out = new ArrayList<>();
            for (int i = 0; i < wanted.size(); i++) {
                out.add(grads.get(i));
            }
            return out;
        }
    }
}
