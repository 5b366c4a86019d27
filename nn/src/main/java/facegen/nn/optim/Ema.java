package facegen.nn.optim;

import facegen.engine.tensor.GradMode;
import facegen.nn.Buffer;
import facegen.nn.Module;
import facegen.nn.Parameter;

import java.util.Map;

/**
 * The exponential moving average of a network's weights (StyleGAN2's G_ema): after each step,
 * p_ema = p + beta (p_ema - p) (PyTorch's p.lerp(p_ema, beta)) for every parameter, and every buffer copied.
 *
 * <p>beta = 0.5^(batch / ema_nimg) makes the half-life of the average ema_kimg thousand images; with ramp-up,
 * ema_nimg = min(ema_kimg * 1000, cur_nimg * ema_rampup) so early averages forget the random start faster.
 *
 * @param emaKimg   half-life of the average in thousands of images (StyleGAN2: 10 = batch * 10 / 32)
 * @param emaRampup ramp-up factor; 0 = no ramp-up (StyleGAN2's None), e.g. 0.05
 */
public record Ema(double emaKimg, double emaRampup) {

    /** Validates that the half-life is positive and the ramp-up non-negative. */
    public Ema {
        if (!(emaKimg > 0) || !(emaRampup >= 0)) {
            throw new IllegalArgumentException("EMA needs ema_kimg > 0 and ema_rampup >= 0, got " + this);
        }
    }

    /** beta = 0.5^(batchSize / max(ema_nimg, 1e-8)) after {@code curNimg} training images. */
    public double beta(int batchSize, long curNimg) {
        double emaNimg = emaKimg * 1000;
        if (emaRampup > 0) {
            emaNimg = Math.min(emaNimg, curNimg * emaRampup);
        }
        return Math.pow(0.5, batchSize / Math.max(emaNimg, 1e-8));
    }

    /**
     * One update of {@code ema} towards {@code source}, a module of the same architecture:
     * p_ema = p + beta (p_ema - p), b_ema = b.
     */
    public static void update(Module ema, Module source, double beta) {
        Map<String, Parameter> target = ema.namedParameters();
        Map<String, Buffer> targetBuffers = ema.namedBuffers();
        try (GradMode g = GradMode.disabled()) {
            source.namedParameters().forEach((name, p) ->
                    slot(target, name).set(p.value().add(slot(target, name).value().sub(p.value()).mul(beta))));
            source.namedBuffers().forEach((name, b) -> slot(targetBuffers, name).set(b.value()));
        }
    }

    private static <S> S slot(Map<String, S> slots, String name) {
        S s = slots.get(name);
        if (s == null) {
            throw new IllegalArgumentException("EMA module has no slot '" + name + "'; architectures differ");
        }
        return s;
    }
}
