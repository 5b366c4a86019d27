package facegen.nn;

import facegen.engine.backend.Backend;
import facegen.engine.tensor.Tensor;

/**
 * How a parameter or buffer gets its first value, drawn from a seed that {@link Module#initialize} derives from
 * the root seed and the slot's dotted name.
 */
public sealed interface Init {

    /** The initial value of the given shape on {@code backend}, reproducible from {@code seed}. */
    Tensor sample(Backend backend, Seed seed, int... shape);

    /**
     * Samples of N(0, std^2): StyleGAN2's equalised-learning-rate weights are N(0, 1) / lr_multiplier.
     *
     * @param std standard deviation (> 0)
     */
    record Normal(double std) implements Init {
        /** Validates that {@code std} is positive. */
        public Normal {
            if (!(std > 0)) {
                throw new IllegalArgumentException("std must be positive, got " + std);
            }
        }

        @Override
        public Tensor sample(Backend backend, Seed seed, int... shape) {
            Tensor n = Tensor.randn(backend, seed.value(), shape);
            return std == 1 ? n : n.mul(std);
        }
    }

    /**
     * Every element equal to {@code value}: biases (bias_init), the noise strength (0), w_avg (0).
     *
     * @param value the fill value
     */
    record Constant(double value) implements Init {
        @Override
        public Tensor sample(Backend backend, Seed seed, int... shape) {
            return Tensor.full(backend, value, shape);
        }
    }
}
