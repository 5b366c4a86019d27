package facegen.audit.bench;

import facegen.audit.TorchOracle;
import facegen.engine.backend.Backend;
import facegen.engine.tensor.GradMode;
import facegen.engine.tensor.TensorScope;
import facegen.nn.Module;
import facegen.nn.Seed;
import facegen.nn.layers.BiasAct;
import facegen.nn.optim.Adam;
import facegen.nn.optim.AdamConfig;
import facegen.nn.stylegan.Discriminator;
import facegen.nn.stylegan.DiscriminatorConfig;
import facegen.nn.stylegan.Generator;
import facegen.nn.stylegan.GeneratorConfig;
import facegen.nn.stylegan.MappingConfig;
import facegen.nn.stylegan.NoiseMode;
import facegen.nn.stylegan.StyleGAN2Loss;
import facegen.nn.stylegan.StyleGAN2LossConfig;
import facegen.nn.stylegan.SynthesisConfig;
import facegen.nn.stylegan.Truncation;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * StyleGAN2 speed against libtorch at 64 x 64, batch 8: the generator's forward pass (inference: fused modulated
 * convolutions, constant noise) and one G+D training step (G_MAIN then D_MAIN of the StyleGAN2 loss with their
 * Adam updates; the lazy R1 / path-length phases, which run every 16 / 4 steps, are left out), float32.
 *
 * <p>Ours runs facegen's nn modules, loss and optimizer on a facegen backend. libtorch runs the same
 * architecture composed from its own ops (stylegan2-ada-pytorch's formulation: conv_transpose2d + FIR for the
 * upsampling convs, FIR + strided conv for the downsampling ones, grouped conv for the fused modulated conv,
 * depthwise conv for the FIR filters, in-place Adam) with the weights copied from ours; before timing, both
 * generators' outputs are compared, so the two sides provably compute the same function. Timing method and
 * thread settings as {@link EngineBench} (median of timed runs after a warm-up, each side in its own block).
 */
public final class StyleganBench {
    /** Image side. */
    static final int RESOLUTION = 64;
    /** Images per step. */
    static final int BATCH = 8;
    /** z_dim = w_dim. */
    static final int LATENT = 128;
    /** Channels at resolution r: min(CHANNEL_BASE / r, CHANNEL_MAX). */
    static final int CHANNEL_BASE = 8192;
    /** The most channels of any layer. */
    static final int CHANNEL_MAX = 128;
    /** Timed runs per side (fewer than EngineBench: a training step takes seconds). */
    static final int RUNS = 5;
    /** Untimed runs per side before timing. */
    static final int WARMUP = 2;

    private StyleganBench() {}

    /** The benchmarked generator: 2 mapping layers (stylegan2-ada's low-resolution default), 128-channel synthesis. */
    static GeneratorConfig generatorConfig() {
        return new GeneratorConfig(new MappingConfig(LATENT, LATENT, 2, LATENT, 0.01, 0.995),
                new SynthesisConfig(LATENT, RESOLUTION, 3, CHANNEL_BASE, CHANNEL_MAX, BiasAct.NO_CLAMP));
    }

    /** The benchmarked discriminator (resnet, minibatch stddev group 4). */
    static DiscriminatorConfig discriminatorConfig() {
        return new DiscriminatorConfig(RESOLUTION, 3, CHANNEL_BASE, CHANNEL_MAX, BiasAct.NO_CLAMP, 4, 1);
    }

    /** Runs both cases on {@code backend} and libtorch, printing each row (and img/s) to {@code progress}. */
    public static List<BenchRow> run(Backend backend, PrintStream progress) {
        Generator g = new Generator(generatorConfig());
        Discriminator d = new Discriminator(discriminatorConfig());
        g.initialize(backend, 1);
        d.initialize(backend, 2);
        String shape = String.format(Locale.ROOT, "%dx%d batch %d, z=w=%d, ch<=%d, G %.2fM D %.2fM params", RESOLUTION, RESOLUTION,
                BATCH, LATENT, CHANNEL_MAX, g.parameterCount() / 1e6, d.parameterCount() / 1e6);
        List<BenchRow> rows = new ArrayList<>();
        progress.println(BenchRow.header());
        if (TorchOracle.unavailableReason().isPresent()) {
            progress.println("# torch column n/a: " + TorchOracle.unavailableReason().get());
            rows.add(report(progress, generatorForward(backend, g, null, shape)));
            rows.add(report(progress, trainingStep(backend, g, d, null, shape)));
            return rows;
        }
        torch.set_num_threads(EngineBench.TORCH_THREADS);
        try (PointerScope _ = new PointerScope()) {
            TorchStyleGan2 theirs = new TorchStyleGan2(g, d);
            double diff = theirs.checkAgainst(g, backend);
            progress.printf(Locale.ROOT, "# same function: max |G_ours - G_torch| = %.2e over images of std ~0.5%n", diff);
            if (!(diff < 1e-2)) {
                throw new IllegalStateException("libtorch's composition disagrees with facegen's generator by " + diff);
            }
            rows.add(report(progress, generatorForward(backend, g, theirs, shape)));
            rows.add(report(progress, trainingStep(backend, g, d, theirs, shape)));
        }
        return rows;
    }

    private static BenchRow report(PrintStream progress, BenchRow row) {
        progress.println(row.tsv());
        progress.printf(Locale.ROOT, "# %s: ours %.1f img/s, libtorch %.1f img/s%n", row.op(), BATCH * 1000 / row.oursMs(),
                BATCH * 1000 / row.torchMs());
        progress.flush();
        return row;
    }

    // ------------------------------------------------------------------ cases

    private static BenchRow generatorForward(Backend backend, Generator g, TorchStyleGan2 theirs, String shape) {
        g.train(false);
        long[] call = {0};
        double ours = medianMillis(() -> {
            try (GradMode _ = GradMode.disabled(); TensorScope _ = TensorScope.open()) {
                facegen.engine.tensor.Tensor z = facegen.engine.tensor.Tensor.randn(backend, call[0]++, BATCH, LATENT);
                g.forward(z, Truncation.NONE, NoiseMode.CONST, new Seed(0)).toArray();
            }
        });
        double torchMs = theirs == null ? Double.NaN : medianMillis(() -> {
            try (PointerScope _ = new PointerScope(); NoGradGuard _ = new NoGradGuard()) {
                theirs.generate(torch.randn(BATCH, LATENT), true, false).contiguous().data_ptr_float();
            }
        });
        g.train(true);
        return new BenchRow("stylegan G forward", shape, backend.name(), ours, torchMs, ours / torchMs);
    }

    private static BenchRow trainingStep(Backend backend, Generator g, Discriminator d, TorchStyleGan2 theirs, String shape) {
        StyleGAN2Loss loss = new StyleGAN2Loss(g, d, new StyleGAN2LossConfig(0, 0, 2, 0.01, 0, 4, 16));
        Adam optG = new Adam(g.namedParameters(), AdamConfig.styleGan2(0.0025).lazyRegularized(4));
        Adam optD = new Adam(d.namedParameters(), AdamConfig.styleGan2(0.0025).lazyRegularized(16));
        facegen.engine.tensor.Tensor reals = facegen.engine.tensor.Tensor.uniform(backend, 3, -1, 1, BATCH, 3, RESOLUTION, RESOLUTION);
        StateKeeper keeper = new StateKeeper(g, d, optG, optD);
        long[] step = {0};
        double ours = medianMillis(() -> {
            Seed seed = new Seed(7).derive(step[0]++);
            keeper.phase(() -> {
                optG.zeroGrad();
                loss.accumulateGradients(StyleGAN2Loss.Phase.G_MAIN, reals, seed, 1);
                optG.step();
            });
            keeper.phase(() -> {
                optD.zeroGrad();
                loss.accumulateGradients(StyleGAN2Loss.Phase.D_MAIN, reals, seed, 1);
                optD.step();
            });
            backend.synchronize();
        });
        if (theirs == null) {
            return new BenchRow("stylegan G+D step", shape, backend.name(), ours, Double.NaN, Double.NaN);
        }
        Tensor torchReals = torch.rand(BATCH, 3, RESOLUTION, RESOLUTION).mul(new Scalar(2.0)).sub(new Scalar(1.0));
        double torchMs = medianMillis(() -> {
            try (PointerScope _ = new PointerScope()) {
                theirs.trainingStep(torchReals);
            }
        });
        return new BenchRow("stylegan G+D step", shape, backend.name(), ours, torchMs, ours / torchMs);
    }

    /**
     * Runs each phase of a training step in a tensor scope and keeps only what the networks and optimizers still
     * hold after it (the state it replaced is closed), as facegen's Trainer does: steady-state memory traffic.
     */
    private static final class StateKeeper {
        private final Module[] modules;
        private final Adam[] optimizers;
        private Set<facegen.engine.tensor.Tensor> live;

        StateKeeper(Module g, Module d, Adam optG, Adam optD) {
            this.modules = new Module[] {g, d};
            this.optimizers = new Adam[] {optG, optD};
            this.live = state();
        }

        void phase(Runnable body) {
            Set<facegen.engine.tensor.Tensor> before = live;
            try (TensorScope _ = TensorScope.detached(); TensorScope scope = TensorScope.open()) {
                body.run();
                for (Module m : modules) {
                    m.zeroGrad();
                }
                live = state();
                live.forEach(scope::keep);
            }
            before.stream().filter(t -> !live.contains(t)).forEach(facegen.engine.tensor.Tensor::close);
        }

        private Set<facegen.engine.tensor.Tensor> state() {
            Set<facegen.engine.tensor.Tensor> s = Collections.newSetFromMap(new IdentityHashMap<>());
            for (Module m : modules) {
                m.namedSlots().values().forEach(slot -> s.add(slot.value()));
            }
            for (Adam opt : optimizers) {
                opt.state().values().forEach(mo -> {
                    s.add(mo.m());
                    s.add(mo.v());
                });
            }
            return s;
        }
    }

    // ------------------------------------------------------------------ timing

    private static double medianMillis(Runnable r) {
        settle();
        for (int i = 0; i < WARMUP; i++) {
            r.run();
        }
        double[] ms = new double[RUNS];
        for (int i = 0; i < RUNS; i++) {
            long t0 = System.nanoTime();
            r.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return ms[RUNS / 2];
    }

    private static void settle() {
        try {
            Thread.sleep(EngineBench.SETTLE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ the libtorch side

    /**
     * StyleGAN2's G and D written with libtorch ops, float32, holding a copy of facegen's weights under the same
     * dotted names ("G.synthesis.b8.conv0.weight", "D.b64.fromrgb.bias").
     */
    static final class TorchStyleGan2 {
        private static final double SQRT2 = Math.sqrt(2);
        private final GeneratorConfig gc;
        private final DiscriminatorConfig dc;
        private final int numWs;
        private final Map<String, Tensor> p = new LinkedHashMap<>();
        private final List<Tensor> gParams = new ArrayList<>();
        private final List<Tensor> dParams = new ArrayList<>();
        private final Map<Tensor, Tensor[]> moments = new IdentityHashMap<>();
        private final Tensor fir;                                         // [1, 1, 4, 4], sums to 1
        private int adamSteps;

        TorchStyleGan2(Generator g, Discriminator d) {
            this.gc = g.config();
            this.dc = d.config();
            this.numWs = g.numWs();
            copy("G.", g, gParams);
            copy("D.", d, dParams);
            float[] f = new float[16];
            double[] taps = {1, 3, 3, 1};
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    f[i * 4 + j] = (float) (taps[i] * taps[j] / 64);
                }
            }
            this.fir = tensor(f, 1, 1, 4, 4);
        }

        private void copy(String prefix, Module m, List<Tensor> params) {
            m.namedSlots().forEach((name, slot) -> {
                double[] v = slot.value().toArray();
                float[] f = new float[v.length];
                for (int i = 0; i < v.length; i++) {
                    f[i] = (float) v[i];
                }
                long[] dims = Arrays.stream(slot.shape().dims()).asLongStream().toArray();
                Tensor t = tensor(f, dims);
                if (slot instanceof facegen.nn.Parameter) {
                    t = t.set_requires_grad(true);
                    params.add(t);
                    moments.put(t, new Tensor[] {torch.zeros_like(t), torch.zeros_like(t)});
                }
                p.put(prefix + name, t);
            });
        }

        private static Tensor tensor(float[] data, long... sizes) {
            return torch.from_blob(new FloatPointer(data), sizes, new TensorOptions(torch.ScalarType.Float)).clone();
        }

        /** max |ours - theirs| of G(z) for one batch (evaluation mode, constant noise). */
        double checkAgainst(Generator g, Backend backend) {
            float[] z = new float[BATCH * LATENT];
            java.util.Random rnd = new java.util.Random(5);
            double[] zd = new double[z.length];
            for (int i = 0; i < z.length; i++) {
                z[i] = (float) rnd.nextGaussian();
                zd[i] = z[i];
            }
            g.train(false);
            double[] ours;
            try (GradMode _ = GradMode.disabled(); TensorScope _ = TensorScope.open()) {
                ours = g.forward(facegen.engine.tensor.Tensor.of(backend, zd, BATCH, LATENT), Truncation.NONE, NoiseMode.CONST,
                        new Seed(0)).toArray();
            }
            g.train(true);
            float[] theirs = generateArray(z, BATCH, true);
            double max = 0;
            for (int i = 0; i < ours.length; i++) {
                max = Math.max(max, Math.abs(ours[i] - theirs[i]));
            }
            return max;
        }

        /** G(z) of {@code n} latents (constant noise) as a flat array; {@code fused} as in evaluation mode. */
        float[] generateArray(float[] z, int n, boolean fused) {
            try (PointerScope _ = new PointerScope(); NoGradGuard _ = new NoGradGuard()) {
                Tensor img = generate(tensor(z, n, z.length / n), fused, false).contiguous();
                float[] out = new float[(int) img.numel()];
                img.data_ptr_float().get(out);
                return out;
            }
        }

        /** D's logits for {@code n} images [n, 3, R, R] given flat. */
        float[] discriminatorArray(float[] img, int n) {
            try (PointerScope _ = new PointerScope(); NoGradGuard _ = new NoGradGuard()) {
                int r = dc.imgResolution();
                Tensor logits = discriminator(tensor(img, n, 3, r, r)).contiguous();
                float[] out = new float[n];
                logits.data_ptr_float().get(out);
                return out;
            }
        }

        /** G_MAIN then D_MAIN with Adam updates, as StyleGAN2Loss does with style mixing and R1 / pl off. */
        void trainingStep(Tensor reals) {
            // G_MAIN: D frozen, G trained
            dParams.forEach(t -> t.requires_grad_(false));
            Tensor fake = generate(torch.randn(BATCH, LATENT), false, true);
            torch.softplus(discriminator(fake).neg()).mean().backward();
            dParams.forEach(t -> t.requires_grad_(true));
            adam(gParams, 0.0025 * 4 / 5, Math.pow(0.99, 4.0 / 5));
            // D_MAIN: G not differentiated
            Tensor fakeNoGrad;
            try (NoGradGuard _ = new NoGradGuard()) {
                fakeNoGrad = generate(torch.randn(BATCH, LATENT), false, true);
            }
            torch.softplus(discriminator(fakeNoGrad)).mean().backward();
            torch.softplus(discriminator(reals).neg()).mean().backward();
            adam(dParams, 0.0025 * 16 / 17, Math.pow(0.99, 16.0 / 17));
            adamSteps++;
        }

        /** torch.optim.Adam's update with beta1 = 0 (StyleGAN2), in place, then the gradients cleared. */
        private void adam(List<Tensor> params, double lr, double beta2) {
            int t = adamSteps + 1;
            double bc2 = 1 - Math.pow(beta2, t);
            try (NoGradGuard _ = new NoGradGuard()) {
                for (Tensor param : params) {
                    Tensor grad = param.grad();
                    if (!grad.defined()) {
                        continue;
                    }
                    Tensor[] mv = moments.get(param);
                    mv[0].copy_(grad);                                   // beta1 = 0: m = g
                    mv[1].mul_(new Scalar(beta2)).addcmul_(grad, grad, new Scalar(1 - beta2));
                    Tensor denom = mv[1].sqrt().div(new Scalar(Math.sqrt(bc2))).add(new Scalar(1e-8));
                    param.addcdiv_(mv[0], denom, new Scalar(-lr));
                    grad.zero_();
                }
            }
        }

        // ---------------------------------------------------------- generator

        /** G(z): [N, z_dim] to [N, 3, R, R]. */
        Tensor generate(Tensor z, boolean fused, boolean randomNoise) {
            Tensor x = z.mul(z.square().mean(new long[] {1}, true, new ScalarTypeOptional()).add(new Scalar(1e-8)).rsqrt());
            for (int i = 0; i < gc.mapping().numLayers(); i++) {
                x = fullyConnected(x, "G.mapping.fc" + i, gc.mapping().lrMultiplier(), true);
            }
            Tensor ws = x.unsqueeze(1).expand(x.size(0), numWs, x.size(1));
            return synthesis(ws, fused, randomNoise);
        }

        private Tensor synthesis(Tensor ws, boolean fused, boolean randomNoise) {
            Tensor x = null;
            Tensor img = null;
            int w = 0;
            for (int res = 4; res <= gc.synthesis().imgResolution(); res *= 2) {
                String b = "G.synthesis.b" + res + ".";
                if (res == 4) {
                    Tensor c = p.get(b + "const");
                    x = c.unsqueeze(0).expand(ws.size(0), c.size(0), 4, 4);
                    x = synthesisLayer(x, ws.select(1, w++), b + "conv1.", 1, fused, randomNoise);
                } else {
                    x = synthesisLayer(x, ws.select(1, w++), b + "conv0.", 2, fused, randomNoise);
                    x = synthesisLayer(x, ws.select(1, w++), b + "conv1.", 1, fused, randomNoise);
                }
                Tensor rgb = toRgb(x, ws.select(1, w), b + "torgb.", fused);
                img = img == null ? rgb : upsample2d(img).add(rgb);
            }
            return img;
        }

        private Tensor synthesisLayer(Tensor x, Tensor w, String name, int up, boolean fused, boolean randomNoise) {
            Tensor styles = fullyConnected(w, name + "affine", 1, false);             // [N, I]
            Tensor weight = p.get(name + "weight");                                  // [O, I, 3, 3]
            Tensor y = modulatedConv(x, weight, styles, up, 1, true, fused);
            long res = y.size(2);
            Tensor strength = p.get(name + "noise_strength");
            Tensor noise = randomNoise ? torch.randn(y.size(0), 1, res, res).mul(strength)
                    : p.get(name + "noise_const").mul(strength);
            return biasLrelu(y.add(noise), p.get(name + "bias"), SQRT2);
        }

        private Tensor toRgb(Tensor x, Tensor w, String name, boolean fused) {
            Tensor weight = p.get(name + "weight");                                  // [3, I, 1, 1]
            Tensor styles = fullyConnected(w, name + "affine", 1, false).mul(new Scalar(1 / Math.sqrt(weight.size(1))));
            Tensor y = modulatedConv(x, weight, styles, 1, 0, false, fused);
            return y.add(p.get(name + "bias").reshape(1, -1, 1, 1));
        }

        /** modulated_conv2d: fused (grouped conv, batch folded into groups) or scaling the activations. */
        private Tensor modulatedConv(Tensor x, Tensor weight, Tensor styles, int up, int padding, boolean demodulate, boolean fused) {
            long n = x.size(0);
            long o = weight.size(0);
            long i = weight.size(1);
            long k = weight.size(2);
            Tensor w = null;
            Tensor dcoefs = null;
            if (demodulate || fused) {
                w = weight.unsqueeze(0).mul(styles.reshape(n, 1, i, 1, 1));                          // [N, O, I, k, k]
            }
            if (demodulate) {
                dcoefs = w.square().sum(new long[] {2, 3, 4}, false, new ScalarTypeOptional()).add(new Scalar(1e-8)).rsqrt(); // [N, O]
            }
            if (!fused) {
                Tensor y = conv2dResample(x.mul(styles.reshape(n, i, 1, 1)), weight, up, padding, 1);
                return demodulate ? y.mul(dcoefs.reshape(n, o, 1, 1)) : y;
            }
            if (demodulate) {
                w = w.mul(dcoefs.reshape(n, o, 1, 1, 1));
            }
            Tensor y = conv2dResample(x.reshape(1, n * i, x.size(2), x.size(3)), w.reshape(n * o, i, k, k), up, padding, n);
            return y.reshape(n, o, y.size(2), y.size(3));
        }

        /** conv2d_resample for up = 1 (conv) or 2 (transposed conv, then the FIR filter with gain 4). */
        private Tensor conv2dResample(Tensor x, Tensor w, int up, int padding, long groups) {
            if (up == 1) {
                return torch.conv2d(x, w, new TensorOptional(), new long[] {1, 1}, new long[] {padding, padding},
                        new long[] {1, 1}, groups);
            }
            long o = w.size(0);
            long i = w.size(1);
            long k = w.size(2);
            Tensor wt = w.reshape(groups, o / groups, i, k, k).transpose(1, 2).reshape(groups * i, o / groups, k, k);
            Tensor y = torch.conv_transpose2d(x, wt, new TensorOptional(), new long[] {2, 2}, new long[] {0, 0},
                    new long[] {0, 0}, groups, 1, 1);
            int pad = padding + (4 + up - 1) / 2 - (int) (k - 1);                  // 1 for k = 3, p = 1
            return fir(torch.constant_pad_nd(y, pad, pad, pad, pad), 4);
        }

        /** upsample2d: zero insertion, pad (2, 1), the FIR filter with gain 4. */
        private Tensor upsample2d(Tensor x) {
            long n = x.size(0);
            long c = x.size(1);
            long h = x.size(2);
            long w = x.size(3);
            Tensor y = torch.constant_pad_nd(x.reshape(n, c, h, 1, w, 1), 0, 1, 0, 0, 0, 1).reshape(n, c, 2 * h, 2 * w);
            return fir(torch.constant_pad_nd(y, 2, 1, 2, 1), 4);
        }

        /** The separable binomial FIR filter times gain on every channel (a depthwise conv), no padding. */
        private Tensor fir(Tensor x, double gain) {
            long c = x.size(1);
            Tensor f = gain == 1 ? fir : fir.mul(new Scalar(gain));
            return torch.conv2d(x, f.expand(c, 1, 4, 4), new TensorOptional(), new long[] {1, 1}, new long[] {0, 0},
                    new long[] {1, 1}, c);
        }

        // ---------------------------------------------------------- discriminator

        /** D(img): [N, 3, R, R] to logits [N, 1]. */
        Tensor discriminator(Tensor img) {
            Tensor x = null;
            double half = Math.sqrt(0.5);
            for (int res = dc.imgResolution(); res > 4; res /= 2) {
                String b = "D.b" + res + ".";
                Tensor y = x == null ? conv(img, b + "fromrgb", 1, 0, SQRT2, true) : x;
                Tensor residual = downConv(y, b + "skip", 1, half, false);
                y = conv(y, b + "conv0", 1, 1, SQRT2, true);
                y = downConv(y, b + "conv1", 3, SQRT2 * half, true);
                x = residual.add(y);
            }
            Tensor y = minibatchStd(x, dc.mbstdGroupSize());
            y = conv(y, "D.b4.conv", 1, 1, SQRT2, true);
            y = fullyConnected(y.reshape(y.size(0), -1), "D.b4.fc", 1, true);
            return fullyConnected(y, "D.b4.out", 1, false);
        }

        /** Conv2dLayer without resampling: act(conv(x, w / sqrt(I k^2)) + b) * gain. */
        private Tensor conv(Tensor x, String name, int stride, int padding, double gain, boolean lrelu) {
            Tensor w = p.get(name + ".weight");
            Tensor y = torch.conv2d(x, w.mul(new Scalar(1 / Math.sqrt(w.size(1) * w.size(2) * w.size(3)))), new TensorOptional(),
                    new long[] {stride, stride}, new long[] {padding, padding}, new long[] {1, 1}, 1);
            return lrelu ? biasLrelu(y, p.get(name + ".bias"), gain) : y.mul(new Scalar(gain));
        }

        /** Conv2dLayer with down = 2: FIR with the kernel's padding, then a stride-2 conv. */
        private Tensor downConv(Tensor x, String name, int k, double gain, boolean lrelu) {
            int p0 = k / 2 + 1;                                                  // padding + (4 - 2 + 1) / 2
            int p1 = k / 2 + 1;                                                  // padding + (4 - 2) / 2
            return conv(fir(torch.constant_pad_nd(x, p0, p1, p0, p1), 1), name, 2, 0, gain, lrelu);
        }

        private static Tensor minibatchStd(Tensor x, int groupSize) {
            long n = x.size(0);
            long c = x.size(1);
            long h = x.size(2);
            long w = x.size(3);
            long g = Math.min(groupSize, n);
            Tensor y = x.reshape(g, -1, 1, c, h, w);
            y = y.sub(y.mean(new long[] {0}, true, new ScalarTypeOptional()));
            y = y.square().mean(new long[] {0}, false, new ScalarTypeOptional()).add(new Scalar(1e-8)).sqrt();
            y = y.mean(new long[] {2, 3, 4}, false, new ScalarTypeOptional());
            y = y.reshape(-1, 1, 1, 1).repeat(g, 1, h, w);
            return torch.cat(new TensorVector(x, y), 1);
        }

        // ---------------------------------------------------------- shared layers

        /** FullyConnectedLayer: act(x (w * lr / sqrt(in))^T + b * lr). */
        private Tensor fullyConnected(Tensor x, String name, double lrMultiplier, boolean lrelu) {
            Tensor w = p.get(name + ".weight");
            Tensor y = x.matmul(w.mul(new Scalar(lrMultiplier / Math.sqrt(w.size(1)))).t());
            Tensor b = p.get(name + ".bias").mul(new Scalar(lrMultiplier));
            return lrelu ? biasLrelu(y, b, SQRT2) : y.add(b.unsqueeze(0));
        }

        private static Tensor biasLrelu(Tensor x, Tensor b, double gain) {
            long[] shape = new long[(int) x.dim()];
            Arrays.fill(shape, 1);
            shape[1] = -1;
            return torch.leaky_relu(x.add(b.reshape(shape)), new Scalar(0.2)).mul(new Scalar(gain));
        }
    }
}
