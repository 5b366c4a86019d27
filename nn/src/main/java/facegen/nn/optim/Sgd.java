package facegen.nn.optim;

import facegen.engine.tensor.GradMode;
import facegen.engine.tensor.Tensor;
import facegen.nn.Parameter;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stochastic gradient descent with optional heavy-ball momentum, as torch.optim.SGD (dampening 0, no Nesterov):
 * b = g on the first step, then b = momentum b + g; p = p - lr b (without momentum, p = p - lr g).
 */
public final class Sgd implements Optimizer {
    private final Map<String, Parameter> parameters;
    private final double lr;
    private final double momentum;
    private final Map<String, Tensor> momentumBuffers = new HashMap<>();

    /**
     * An optimizer of {@code parameters}.
     *
     * @param lr       learning rate (> 0)
     * @param momentum momentum coefficient in [0, 1); 0 = plain gradient descent
     */
    public Sgd(Map<String, Parameter> parameters, double lr, double momentum) {
        if (!(lr > 0) || !(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("SGD needs lr > 0 and momentum in [0, 1), got lr " + lr
                    + ", momentum " + momentum);
        }
        this.parameters = new LinkedHashMap<>(parameters);
        this.lr = lr;
        this.momentum = momentum;
    }

    @Override
    public void step() {
        try (GradMode g = GradMode.disabled()) {
            parameters.forEach((name, p) -> {
                Tensor grad = p.grad();
                if (grad == null) {
                    return;
                }
                Tensor direction = grad;
                if (momentum > 0) {
                    Tensor previous = momentumBuffers.get(name);
                    direction = previous == null ? grad : previous.mul(momentum).add(grad);
                    momentumBuffers.put(name, direction);
                }
                p.set(p.value().sub(direction.mul(lr)));
            });
        }
    }

    @Override
    public void zeroGrad() {
        parameters.values().forEach(Parameter::zeroGrad);
    }
}
