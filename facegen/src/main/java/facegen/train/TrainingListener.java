package facegen.train;

import facegen.metrics.SlicedWasserstein;

import java.nio.file.Path;

/** Receives a run's progress (the CLI draws a progress bar from it; tests record it). */
public interface TrainingListener {

    /**
     * A snapshot: checkpoint, sample grid and metric written after a step.
     *
     * @param step         steps completed
     * @param kimg         thousands of real images shown
     * @param checkpoint   the checkpoint file written
     * @param grid         the sample grid PNG written
     * @param swd          the sliced Wasserstein distance of G_ema, or null when the metric is off
     * @param trainSeconds wall seconds spent in training steps so far
     */
    record Snapshot(long step, double kimg, Path checkpoint, Path grid, SlicedWasserstein.Result swd, double trainSeconds) {}

    /** Called once before the first step of this session, with the step it starts from. */
    default void started(long step, long curNimg, long targetNimg, boolean resumed) {}

    /** Called after every step. */
    default void stepped(Trainer.StepResult result) {}

    /** Called after every snapshot. */
    default void snapshot(Snapshot snapshot) {}

    /** A line of information for the user. */
    default void message(String line) {}
}
