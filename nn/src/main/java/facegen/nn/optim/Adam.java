package facegen.nn.optim;

import facegen.engine.tensor.GradMode;
import facegen.engine.tensor.Tensor;
import facegen.nn.Parameter;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adam: per parameter, with gradient g at step t,
 * m = beta1 m + (1 - beta1) g, v = beta2 v + (1 - beta2) g^2,
 * p = p - (lr / (1 - beta1^t)) m / (sqrt(v) / sqrt(1 - beta2^t) + eps),
 * which is PyTorch's torch.optim.Adam (no weight decay, no amsgrad) term for term.
 *
 * <p>State per parameter ({@link Moments}: t, m, v) is keyed by dotted parameter name, so a checkpoint can
 * store and restore it ({@link #state}, {@link #loadState}); t counts the steps in which that parameter had a
 * gradient.
 */
public final class Adam implements Optimizer {
    private final Map<String, Parameter> parameters;
    private final AdamConfig config;
    private final Map<String, Moments> state = new LinkedHashMap<>();

    /**
     * Per-parameter state.
     *
     * @param step number of updates applied to the parameter (t)
     * @param m    first-moment estimate, shaped like the parameter
     * @param v    second-moment estimate, shaped like the parameter
     */
    public record Moments(long step, Tensor m, Tensor v) {}

    /** An optimizer of {@code parameters} (e.g. {@code module.namedParameters()}), all with empty state. */
    public Adam(Map<String, Parameter> parameters, AdamConfig config) {
        this.parameters = new LinkedHashMap<>(parameters);
        this.config = config;
    }

    /** The hyper-parameters. */
    public AdamConfig config() {
        return config;
    }

    @Override
    public void step() {
        double b1 = config.beta1();
        double b2 = config.beta2();
        try (GradMode g = GradMode.disabled()) {
            parameters.forEach((name, p) -> {
                Tensor grad = p.grad();
                if (grad == null) {
                    return;
                }
                Moments s = state.get(name);
                long t = s == null ? 1 : s.step() + 1;
                Tensor m = s == null ? grad.mul(1 - b1) : s.m().mul(b1).add(grad.mul(1 - b1));
                Tensor v = s == null ? grad.square().mul(1 - b2) : s.v().mul(b2).add(grad.square().mul(1 - b2));
                double biasCorrection1 = 1 - Math.pow(b1, t);
                double biasCorrection2 = 1 - Math.pow(b2, t);
                Tensor denom = v.sqrt().div(Math.sqrt(biasCorrection2)).add(config.eps());
                p.set(p.value().sub(m.div(denom).mul(config.lr() / biasCorrection1)));
                state.put(name, new Moments(t, m, v));
            });
        }
    }

    @Override
    public void zeroGrad() {
        parameters.values().forEach(Parameter::zeroGrad);
    }

    /** The state of every parameter stepped so far, by dotted name. */
    public Map<String, Moments> state() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(state));
    }

    /**
     * Replaces the state (from a checkpoint).
     *
     * @throws IllegalArgumentException for a name this optimizer does not update, or moments of the wrong shape
     */
    public void loadState(Map<String, Moments> saved) {
        saved.forEach((name, s) -> {
            Parameter p = parameters.get(name);
            if (p == null) {
                throw new IllegalArgumentException("Adam state for unknown parameter '" + name + "'");
            }
            if (!s.m().shape().equals(p.shape()) || !s.v().shape().equals(p.shape())) {
                throw new IllegalArgumentException("Adam state of '" + name + "': expected moments " + p.shape()
                        + ", got m " + s.m().shape() + ", v " + s.v().shape());
            }
        });
        state.clear();
        state.putAll(saved);
    }
}
