package facegen.train;

/**
 * A training step produced a non-finite loss: training stops before the optimizer applies that phase, and no
 * checkpoint is written after it, so the last checkpoint on disk is the last good state (the networks in
 * memory may hold the failed step's earlier phases).
 */
public final class TrainingDivergedException extends RuntimeException {
    private final long step;
    private final String phase;
    private final String statistic;
    private final String firstBadTensor;

    /**
     * A divergence at {@code step}.
     *
     * @param step           the step (0-based) whose phase failed
     * @param phase          the loss phase (G_MAIN, D_REG, ...)
     * @param statistic      the non-finite statistic and its value ("Loss/D/loss = NaN")
     * @param firstBadTensor the first tensor holding a non-finite value, in the order: real batch, G and D
     *                       parameters, then the phase's gradients; or a note that all were finite
     */
    public TrainingDivergedException(long step, String phase, String statistic, String firstBadTensor) {
        super("training diverged at step " + step + " (" + phase + "): " + statistic + "; first non-finite tensor: "
                + firstBadTensor);
        this.step = step;
        this.phase = phase;
        this.statistic = statistic;
        this.firstBadTensor = firstBadTensor;
    }

    /** The step whose phase failed. */
    public long step() {
        return step;
    }

    /** The failing phase. */
    public String phase() {
        return phase;
    }

    /** The non-finite statistic with its value. */
    public String statistic() {
        return statistic;
    }

    /** The first tensor found holding a non-finite value. */
    public String firstBadTensor() {
        return firstBadTensor;
    }
}
