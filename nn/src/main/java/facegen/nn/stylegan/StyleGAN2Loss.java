package facegen.nn.stylegan;

import facegen.engine.autodiff.Autograd;
import facegen.engine.tensor.GradMode;
import facegen.engine.tensor.Tensor;
import facegen.nn.Seed;
import facegen.nn.Shapes;
import facegen.nn.layers.Activation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The StyleGAN2 training objective (Karras et al. 2020, section 4 and appendix B; stylegan2-ada's
 * StyleGAN2Loss), unconditional:
 * <ul>
 *   <li>G main: non-saturating logistic loss softplus(-D(G(z))) = -log sigmoid(D(G(z)));</li>
 *   <li>G reg: path-length regularisation w_pl (||J_w^T y||_2 - a)^2, y ~ N(0, I) / sqrt(H W), with a the running
 *       mean of the lengths, on batch / pl_batch_shrink samples;</li>
 *   <li>D main: softplus(D(G(z))) + softplus(-D(x));</li>
 *   <li>D reg: R1, gamma / 2 ||grad_x D(x)||^2 on reals (Mescheder et al. 2018).</li>
 * </ul>
 * Both regularisers are lazy: they run every g/dRegInterval steps with their loss scaled by the interval
 * ({@link #schedule}). Their gradients are taken with {@code Autograd.grad(createGraph = true)}, so the
 * penalty's backward is a second-order derivative.
 */
public final class StyleGAN2Loss {
    private final Generator generator;
    private final Discriminator discriminator;
    private final StyleGAN2LossConfig config;
    private double plMean;

    /** The four phases of a training iteration, with their combinations (stylegan2-ada's phase names). */
    public enum Phase {
        /** Maximise D's logits for generated images (updates G). */
        G_MAIN,
        /** Path-length regularisation (updates G). */
        G_REG,
        /** G_MAIN and G_REG in one pass (no lazy regularisation). */
        G_BOTH,
        /** Minimise D's logits for generated images, maximise them for reals (updates D). */
        D_MAIN,
        /** R1 regularisation (updates D). */
        D_REG,
        /** D_MAIN and D_REG in one pass. */
        D_BOTH;

        /** True for the phases that update the generator. */
        public boolean updatesGenerator() {
            return this == G_MAIN || this == G_REG || this == G_BOTH;
        }
    }

    /**
     * A phase of one training step and the factor its loss is scaled by (the interval of a lazy regulariser).
     *
     * @param phase the phase
     * @param gain  the loss scale
     */
    public record ScheduledPhase(Phase phase, double gain) {}

    /** The loss of {@code generator} against {@code discriminator}, with running mean path length 0. */
    public StyleGAN2Loss(Generator generator, Discriminator discriminator, StyleGAN2LossConfig config) {
        this.generator = generator;
        this.discriminator = discriminator;
        this.config = config;
    }

    /** The hyper-parameters. */
    public StyleGAN2LossConfig config() {
        return config;
    }

    /** The running mean path length a (state, for checkpoints). */
    public double plMean() {
        return plMean;
    }

    /** Restores the running mean path length (from a checkpoint). */
    public void setPlMean(double value) {
        plMean = value;
    }

    /**
     * The phases of training step {@code step} in order (stylegan2-ada's training loop): G_MAIN, then G_REG with
     * gain gRegInterval when step % gRegInterval == 0 (and the path-length weight is non-zero), D_MAIN, then D_REG
     * with gain dRegInterval when step % dRegInterval == 0 (and gamma is non-zero).
     */
    public List<ScheduledPhase> schedule(long step) {
        List<ScheduledPhase> phases = new ArrayList<>();
        phases.add(new ScheduledPhase(Phase.G_MAIN, 1));
        if (config.plWeight() != 0 && step % config.gRegInterval() == 0) {
            phases.add(new ScheduledPhase(Phase.G_REG, config.gRegInterval()));
        }
        phases.add(new ScheduledPhase(Phase.D_MAIN, 1));
        if (config.r1Gamma() != 0 && step % config.dRegInterval() == 0) {
            phases.add(new ScheduledPhase(Phase.D_REG, config.dRegInterval()));
        }
        return phases;
    }

    /**
     * Runs one phase: freezes the network the phase does not train (and leaves it frozen, the trained one
     * trainable, as stylegan2-ada's training loop does), computes the phase's losses on a batch of generated
     * images (z ~ N(0, I) from {@code seed}) and, for D phases, the reals, and accumulates
     * d(gain * loss)/d(parameters) into the trained network's parameter gradients.
     *
     * @param phase   which losses to compute
     * @param realImg real images [N, C, R, R] (read by D phases; its batch size sets the generated batch)
     * @param seed    the seed of every draw of this phase (z, style mixing, noise, path-length noise)
     * @param gain    the loss scale (the regularisation interval for lazy phases)
     * @return the phase's scalar statistics under stylegan2-ada's training_stats names ("Loss/G/loss", ...)
     */
    public Map<String, Double> accumulateGradients(Phase phase, Tensor realImg, Seed seed, double gain) {
        boolean doGmain = phase == Phase.G_MAIN || phase == Phase.G_BOTH;
        boolean doGpl = (phase == Phase.G_REG || phase == Phase.G_BOTH) && config.plWeight() != 0;
        boolean doDmain = phase == Phase.D_MAIN || phase == Phase.D_BOTH;
        boolean doDr1 = (phase == Phase.D_REG || phase == Phase.D_BOTH) && config.r1Gamma() != 0;
        generator.requireGrad(phase.updatesGenerator());
        discriminator.requireGrad(!phase.updatesGenerator());

        int batch = realImg.dim(0);
        Seed phaseSeed = seed.derive(phase.name());
        Tensor genZ = Tensor.randn(realImg.backend(), phaseSeed.derive("z").value(), batch, generator.config().mapping().zDim());
        Map<String, Double> stats = new LinkedHashMap<>();

        if (doGmain) {
            Tensor genLogits = discriminator.forward(runGenerator(genZ, phaseSeed.derive("Gmain")).img());   // [N, 1]
            Tensor lossGmain = Activation.SOFTPLUS.apply(genLogits.neg());                                    // [N, 1]
            stats.put("Loss/scores/fake", genLogits.meanAll().item());
            stats.put("Loss/G/loss", lossGmain.meanAll().item());
            Autograd.backward(lossGmain.meanAll().mul(gain));
        }

        if (doGpl) {
            int plBatch = Math.max(batch / config.plBatchShrink(), 1);
            Generated gen = runGenerator(genZ.slice(0, 0, plBatch), phaseSeed.derive("Gpl"));
            Tensor img = gen.img();                                                                            // [n, C, H, W]
            Tensor plNoise = Tensor.randn(img.backend(), phaseSeed.derive("pl_noise").value(), img.shape().dims())
                    .div(Math.sqrt(img.dim(2) * img.dim(3)));
            Tensor plLengths = pathLengths(img, gen.ws(), plNoise);                                            // [n]
            Tensor runningMean = plLengths.meanAll().sub(plMean).mul(config.plDecay()).add(plMean);           // lerp
            plMean = runningMean.item();
            Tensor plPenalty = plLengths.sub(runningMean).square();                                            // [n]
            Tensor lossGpl = plPenalty.mul(config.plWeight());
            stats.put("Loss/pl_penalty", plPenalty.meanAll().item());
            stats.put("Loss/G/reg", lossGpl.meanAll().item());
            Autograd.backward(lossGpl.meanAll().mul(gain));
        }

        double lossDgen = 0;
        if (doDmain) {
            Tensor genImg;
            try (GradMode g = GradMode.disabled()) {                     // D phases do not differentiate G
                genImg = runGenerator(genZ, phaseSeed.derive("Dmain")).img();
            }
            Tensor genLogits = discriminator.forward(genImg);                                                  // [N, 1]
            Tensor lossDgenT = Activation.SOFTPLUS.apply(genLogits);                                           // [N, 1]
            stats.put("Loss/scores/fake", genLogits.meanAll().item());
            lossDgen = lossDgenT.meanAll().item();
            Autograd.backward(lossDgenT.meanAll().mul(gain));
        }

        if (doDmain || doDr1) {
            Tensor realImgTmp = doDr1 ? realImg.detach().requireGrad() : realImg.detach();
            Tensor realLogits = discriminator.forward(realImgTmp);                                             // [N, 1]
            stats.put("Loss/scores/real", realLogits.meanAll().item());
            Tensor loss = Tensor.scalar(realImg.backend(), 0);
            if (doDmain) {
                Tensor lossDreal = Activation.SOFTPLUS.apply(realLogits.neg()).meanAll();
                stats.put("Loss/D/loss", lossDgen + lossDreal.item());
                loss = loss.add(lossDreal);
            }
            if (doDr1) {
                Tensor r1Penalty = r1Penalty(realLogits, realImgTmp);                                          // [N]
                Tensor lossDr1 = r1Penalty.mul(config.r1Gamma() / 2).meanAll();
                stats.put("Loss/r1_penalty", r1Penalty.meanAll().item());
                stats.put("Loss/D/reg", lossDr1.item());
                loss = loss.add(lossDr1);
            }
            Autograd.backward(loss.mul(gain));
        }
        return stats;
    }

    /** An image batch and the ws it was synthesised from. */
    private record Generated(Tensor img, Tensor ws) {}

    /** ws = f(z) with style mixing, img = g(ws) with random noise (stylegan2-ada's run_G). */
    private Generated runGenerator(Tensor z, Seed seed) {
        Tensor ws = generator.mapWithStyleMixing(z, config.styleMixingProb(), seed.derive("mixing"));
        return new Generated(generator.synthesis().forward(ws, NoiseMode.RANDOM, seed.derive("noise")), ws);
    }

    /**
     * The R1 penalty per real image, ||d(sum D(x))/dx_n||^2 (before the gamma / 2 factor), as a differentiable
     * function of D's parameters (the gradient is taken with createGraph).
     *
     * @param realLogits D(x) [N, 1], computed from {@code realImg}
     * @param realImg    x [N, C, H, W], a tensor that requires grad
     * @return [N]
     */
    public static Tensor r1Penalty(Tensor realLogits, Tensor realImg) {
        Tensor r1Grads = Autograd.grad(realLogits.sumAll(), List.of(realImg), true).getFirst();  // [N, C, H, W]
        return r1Grads.square().sum(1, 2, 3);                                                    // [N]
    }

    /**
     * The path lengths ||J_w^T y||_2 per image, J the Jacobian of the image with respect to ws, averaged over
     * the num_ws rows: sqrt(mean_k sum_j (d(sum(img * y))/dws_{n,k,j})^2), differentiable (createGraph).
     *
     * @param img     g(ws) [N, C, H, W]
     * @param ws      [N, num_ws, w_dim], requiring grad, that {@code img} was computed from
     * @param plNoise y [N, C, H, W], N(0, 1) / sqrt(H W)
     * @return [N]
     */
    public static Tensor pathLengths(Tensor img, Tensor ws, Tensor plNoise) {
        Shapes.require("pathLengths: ws", ws, img.dim(0), Shapes.ANY, Shapes.ANY);
        Tensor plGrads = Autograd.grad(img.mul(plNoise).sumAll(), List.of(ws), true).getFirst(); // [N, num_ws, w_dim]
        return plGrads.square().sum(2).mean(new int[] {1}, false).sqrt();                        // [N]
    }
}
