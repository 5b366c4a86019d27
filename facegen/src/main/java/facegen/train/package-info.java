/**
 * StyleGAN2 training (Karras et al. 2020; stylegan2-ada-pytorch's training_loop): {@link facegen.train.Trainer}
 * runs steps (the loss phases of {@code StyleGAN2Loss}, lazy regularisation, Adam, G_ema), reproducible from
 * the run seed and the step index; {@link facegen.train.Checkpoint} stores the complete state in safetensors
 * (atomically) so a run resumes bit for bit; {@link facegen.train.TrainingRun} manages a run folder (resume,
 * snapshots, sample grids, loss and SWD curves) and {@link facegen.train.TrainingConfig} holds the
 * hyper-parameters, with CPU-sized defaults following stylegan2-ada's "auto" configuration.
 */
package facegen.train;
