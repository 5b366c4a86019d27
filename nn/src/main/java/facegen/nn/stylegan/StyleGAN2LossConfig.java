package facegen.nn.stylegan;

/**
 * Hyper-parameters of the {@link StyleGAN2Loss} and its lazy regularisation schedule (stylegan2-ada's
 * StyleGAN2Loss and training_loop defaults).
 *
 * @param r1Gamma         R1 weight gamma (the penalty is gamma / 2 * ||grad||^2); 0 = no R1
 * @param styleMixingProb probability of style mixing per generator batch (0.9)
 * @param plBatchShrink   the path-length batch is the batch divided by this (2)
 * @param plDecay         decay of the running mean path length a: a = a + decay (mean - a) (0.01)
 * @param plWeight        path-length weight (2); 0 = no path-length regularisation
 * @param gRegInterval    the path-length penalty runs every this many steps, its loss scaled by it (4)
 * @param dRegInterval    R1 runs every this many steps, its loss scaled by it (16)
 */
public record StyleGAN2LossConfig(double r1Gamma, double styleMixingProb, int plBatchShrink, double plDecay,
                                  double plWeight, int gRegInterval, int dRegInterval) {

    /** Validates the ranges. */
    public StyleGAN2LossConfig {
        if (!(r1Gamma >= 0) || !(styleMixingProb >= 0 && styleMixingProb <= 1) || plBatchShrink < 1
                || !(plDecay >= 0 && plDecay <= 1) || !(plWeight >= 0) || gRegInterval < 1 || dRegInterval < 1) {
            throw new IllegalArgumentException("invalid StyleGAN2 loss: " + this);
        }
    }

    /** StyleGAN2's defaults with R1 weight {@code r1Gamma} (10 at 1024 px; the paper scales it with resolution). */
    public static StyleGAN2LossConfig of(double r1Gamma) {
        return new StyleGAN2LossConfig(r1Gamma, 0.9, 2, 0.01, 2, 4, 16);
    }
}
