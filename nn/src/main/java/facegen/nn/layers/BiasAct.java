package facegen.nn.layers;

import facegen.engine.tensor.Tensor;

import java.util.Arrays;

/**
 * stylegan2-ada's bias_act: y = clamp(f(x + b) * gain, -clamp, clamp), the bias broadcast along axis 1
 * (channels of [N, C, H, W], features of [N, C]).
 */
public final class BiasAct {

    /** The clamp value that disables clamping (StyleGAN's conv_clamp = None). */
    public static final double NO_CLAMP = Double.POSITIVE_INFINITY;

    private BiasAct() {}

    /**
     * y = clamp(f(x + b) * gain, -clamp, clamp).
     *
     * @param x     input [N, C, ...]; receives gradients
     * @param b     bias [C], or null for none; receives gradients
     * @param act   the activation f
     * @param gain  the output scale (usually {@code act.defaultGain()} times a layer gain)
     * @param clamp clamp bound (>= 0), or {@link #NO_CLAMP}; at the bound the gradient passes (as torch.clamp)
     */
    public static Tensor biasAct(Tensor x, Tensor b, Activation act, double gain, double clamp) {
        if (!(clamp >= 0)) {
            throw new IllegalArgumentException("clamp must be >= 0 or NO_CLAMP, got " + clamp);
        }
        Tensor y = x;
        if (b != null) {
            if (b.rank() != 1 || x.rank() < 2 || b.dim(0) != x.dim(1)) {
                throw new IllegalArgumentException("biasAct: bias " + b.shape() + " does not match axis 1 of x " + x.shape());
            }
            int[] shape = new int[x.rank()];
            Arrays.fill(shape, 1);
            shape[1] = b.dim(0);
            y = y.add(b.reshape(shape));                                 // [N, C, ...]
        }
        y = act.apply(y);
        if (gain != 1) {
            y = y.mul(gain);
        }
        if (clamp != NO_CLAMP) {
            Tensor bound = Tensor.scalar(y.backend(), clamp);
            y = Tensor.where(y.gt(bound), bound, Tensor.where(y.lt(bound.neg()), bound.neg(), y));
        }
        return y;
    }

    /** y = f(x + b) * f's default gain, unclamped. */
    public static Tensor biasAct(Tensor x, Tensor b, Activation act) {
        return biasAct(x, b, act, act.defaultGain(), NO_CLAMP);
    }
}
