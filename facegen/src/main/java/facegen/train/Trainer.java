package facegen.train;

import facegen.data.ImageDataset;
import facegen.engine.backend.Backend;
import facegen.engine.tensor.Tensor;
import facegen.engine.tensor.TensorScope;
import facegen.nn.Module;
import facegen.nn.Parameter;
import facegen.nn.Seed;
import facegen.nn.optim.Adam;
import facegen.nn.optim.AdamConfig;
import facegen.nn.optim.Ema;
import facegen.nn.stylegan.Discriminator;
import facegen.nn.stylegan.Generator;
import facegen.nn.stylegan.StyleGAN2Loss;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * StyleGAN2's training loop, one step at a time (stylegan2-ada-pytorch's training_loop): per step a batch of
 * reals, the loss phases of {@link StyleGAN2Loss#schedule} each followed by its network's Adam step (lazy
 * regularisation), then the G_ema update.
 *
 * <p>Reproducible: step k draws everything (the real batch, latents, noise, style-mixing cutoffs, path-length
 * noise) from {@code Seed(config.seed).derive("step").derive(k)}, so the state after step k depends only on the
 * state before it and k, and a run resumed from a checkpoint continues bit for bit (on a deterministic backend).
 * The state is G, D, G_ema, both Adams' moments and step counts, the running path-length mean and the step
 * counter ({@link Checkpoint}).
 *
 * <p>Memory: each loss phase runs in a {@link TensorScope}; the tensors still held by the networks and
 * optimizers after it are kept, everything else it made (graph, gradients) and the state tensors it replaced are
 * closed, so memory returns to the backend's pool after every phase and a long run's footprint stays that of one
 * phase.
 */
public final class Trainer {
    private final TrainingConfig config;
    private final ImageDataset data;
    private final Backend backend;
    private final Generator g;
    private final Generator gEma;
    private final Discriminator d;
    private final Adam optG;
    private final Adam optD;
    private final StyleGAN2Loss loss;
    private final Ema ema;
    private long step;
    private double trainSeconds;
    private Set<Tensor> live;

    /**
     * One step's outcome.
     *
     * @param step    the step that ran (0-based)
     * @param curNimg real images shown after it
     * @param stats   the phases' statistics (stylegan2-ada names: "Loss/G/loss", "Loss/D/loss", ...)
     * @param seconds its wall time
     */
    public record StepResult(long step, long curNimg, Map<String, Double> stats, double seconds) {}

    /** A fresh run: G and D drawn from seed.derive("G") and seed.derive("D"), G_ema a copy of G, empty Adam state. */
    public Trainer(TrainingConfig config, ImageDataset data, Backend backend) {
        if (data.resolution() != config.resolution()) {
            throw new IllegalArgumentException("dataset images are " + data.resolution() + "x" + data.resolution()
                    + ", the networks " + config.resolution() + "x" + config.resolution());
        }
        this.config = config;
        this.data = data;
        this.backend = backend;
        Seed root = new Seed(config.seed());
        this.g = new Generator(config.generator());
        this.d = new Discriminator(config.discriminator());
        g.initialize(backend, root.derive("G").value());
        d.initialize(backend, root.derive("D").value());
        this.gEma = new Generator(config.generator());
        gEma.copyFrom(g);
        gEma.requireGrad(false);
        gEma.train(false);
        this.optG = new Adam(g.namedParameters(), AdamConfig.styleGan2(config.gLr()).lazyRegularized(config.loss().gRegInterval()));
        this.optD = new Adam(d.namedParameters(), AdamConfig.styleGan2(config.dLr()).lazyRegularized(config.loss().dRegInterval()));
        this.loss = new StyleGAN2Loss(g, d, config.loss());
        this.ema = new Ema(config.emaKimg(), config.emaRampup());
        this.live = stateTensors();
    }

    /** The configuration. */
    public TrainingConfig config() {
        return config;
    }

    /** The backend the networks live on. */
    public Backend backend() {
        return backend;
    }

    /** The training data. */
    public ImageDataset data() {
        return data;
    }

    /** Steps completed. */
    public long step() {
        return step;
    }

    /** Real images shown so far, step * batch (stylegan2-ada's cur_nimg). */
    public long curNimg() {
        return step * config.batchSize();
    }

    /** Wall seconds spent in steps so far (snapshots and metrics excluded), carried across resumes. */
    public double trainSeconds() {
        return trainSeconds;
    }

    /** The generator being trained. */
    public Generator generator() {
        return g;
    }

    /** The moving average of the generator, in evaluation mode: the one to sample and evaluate. */
    public Generator generatorEma() {
        return gEma;
    }

    /** The discriminator. */
    public Discriminator discriminator() {
        return d;
    }

    Adam optimizerG() {
        return optG;
    }

    Adam optimizerD() {
        return optD;
    }

    StyleGAN2Loss loss() {
        return loss;
    }

    /** Sets the counters and re-reads which tensors form the state (after a checkpoint replaced them). */
    void restored(long step, double trainSeconds) {
        this.step = step;
        this.trainSeconds = trainSeconds;
        Set<Tensor> initial = live;
        live = stateTensors();
        initial.stream().filter(t -> !live.contains(t)).forEach(Tensor::close);
    }

    /** The real batch of step {@code k}: indices drawn uniformly with replacement. */
    int[] batchIndices(long k) {
        SplittableRandom random = new SplittableRandom(stepSeed(k).derive("reals").value());
        int[] idx = new int[config.batchSize()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = random.nextInt(data.size());
        }
        return idx;
    }

    private Seed stepSeed(long k) {
        return new Seed(config.seed()).derive("step").derive(k);
    }

    /**
     * Runs one training step.
     *
     * @throws TrainingDivergedException when a phase's loss is not finite; that phase's update is not applied
     */
    public StepResult runStep() {
        long start = System.nanoTime();
        Map<String, Double> stats = new LinkedHashMap<>();
        Tensor reals;
        try (TensorScope _ = TensorScope.detached()) {
            reals = data.batch(backend, batchIndices(step));                            // [N, 3, R, R]
        }
        try {
            Seed seed = stepSeed(step);
            for (StyleGAN2Loss.ScheduledPhase p : loss.schedule(step)) {
                inPhase(() -> {
                    Adam opt = p.phase().updatesGenerator() ? optG : optD;
                    opt.zeroGrad();
                    Map<String, Double> phaseStats = loss.accumulateGradients(p.phase(), reals, seed, p.gain());
                    for (Map.Entry<String, Double> e : phaseStats.entrySet()) {
                        if (!Double.isFinite(e.getValue())) {
                            String bad = firstNonFinite(reals, p.phase().updatesGenerator() ? g : d);
                            throw new TrainingDivergedException(step, p.phase().name(), e.getKey() + " = " + e.getValue(), bad);
                        }
                    }
                    opt.step();
                    stats.putAll(phaseStats);
                });
            }
            inPhase(() -> Ema.update(gEma, g, ema.beta(config.batchSize(), curNimg())));
        } finally {
            reals.close();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        trainSeconds += seconds;
        step++;
        return new StepResult(step - 1, curNimg(), stats, seconds);
    }

    /**
     * Runs one phase of a step in its own tensor scope: afterwards only the tensors the state holds survive (the
     * phase's graph, gradients and the state tensors it replaced are closed), so peak memory is one phase's.
     */
    private void inPhase(Runnable body) {
        Set<Tensor> before = live;
        try (TensorScope _ = TensorScope.detached(); TensorScope scope = TensorScope.open()) {
            try {
                body.run();
            } finally {
                g.zeroGrad();
                d.zeroGrad();
                live = stateTensors();
                live.forEach(scope::keep);
            }
        } finally {
            for (Tensor t : before) {
                if (!live.contains(t)) {
                    t.close();
                }
            }
        }
    }

    /** Every tensor the state holds: slot values of G, G_ema and D, and both Adams' moments. */
    private Set<Tensor> stateTensors() {
        Set<Tensor> s = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Module m : new Module[] {g, gEma, d}) {
            m.namedSlots().values().forEach(slot -> s.add(slot.value()));
        }
        for (Adam opt : new Adam[] {optG, optD}) {
            opt.state().values().forEach(moments -> {
                s.add(moments.m());
                s.add(moments.v());
            });
        }
        return s;
    }

    /** Names the first tensor holding NaN or infinity: the reals, G's and D's parameters, the trained gradients. */
    private String firstNonFinite(Tensor reals, Module trained) {
        if (!finite(reals)) {
            return "the real image batch " + reals.shape();
        }
        Map<String, Module> nets = new LinkedHashMap<>();
        nets.put("G", g);
        nets.put("D", d);
        for (Map.Entry<String, Module> net : nets.entrySet()) {
            for (Map.Entry<String, Parameter> p : net.getValue().namedParameters().entrySet()) {
                if (!finite(p.getValue().value())) {
                    return net.getKey() + "." + p.getKey() + " " + p.getValue().shape();
                }
            }
        }
        String name = trained == g ? "G" : "D";
        for (Map.Entry<String, Parameter> p : trained.namedParameters().entrySet()) {
            Tensor grad = p.getValue().grad();
            if (grad != null && !finite(grad)) {
                return "gradient of " + name + "." + p.getKey() + " " + p.getValue().shape();
            }
        }
        return "none (inputs, weights and gradients are finite; the loss itself overflowed)";
    }

    private static boolean finite(Tensor t) {
        for (double v : t.toArray()) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }
}
