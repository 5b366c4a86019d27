package facegen.train;

import facegen.nn.layers.BiasAct;
import facegen.nn.stylegan.DiscriminatorConfig;
import facegen.nn.stylegan.GeneratorConfig;
import facegen.nn.stylegan.MappingConfig;
import facegen.nn.stylegan.StyleGAN2LossConfig;
import facegen.nn.stylegan.SynthesisConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything that defines a StyleGAN2 training run (stylegan2-ada-pytorch's train.py "auto" configuration, with
 * channel counts small enough for a CPU): stored in each checkpoint so a run resumes, and a checkpoint is
 * sampled, with the networks it was trained with.
 *
 * @param generator     the generator G (and G_ema)
 * @param discriminator the discriminator D
 * @param loss          the loss and its lazy regularisation schedule
 * @param batchSize     images per step (a multiple of the minibatch-stddev group)
 * @param gLr           G's Adam learning rate before lazy-regularisation scaling (0.0025)
 * @param dLr           D's Adam learning rate before lazy-regularisation scaling (0.0025)
 * @param emaKimg       half-life of G_ema in thousands of images (batch * 10 / 32)
 * @param emaRampup     G_ema ramp-up (0.05); 0 = none
 * @param seed          the root of every random draw of the run (weights, latents, noise, batches)
 */
public record TrainingConfig(GeneratorConfig generator, DiscriminatorConfig discriminator, StyleGAN2LossConfig loss,
                             int batchSize, double gLr, double dLr, double emaKimg, double emaRampup, long seed) {

    /** Checks that G and D agree on the image and the batch fits the minibatch-stddev groups. */
    public TrainingConfig {
        Objects.requireNonNull(generator);
        Objects.requireNonNull(discriminator);
        Objects.requireNonNull(loss);
        SynthesisConfig s = generator.synthesis();
        if (s.imgResolution() != discriminator.imgResolution() || s.imgChannels() != discriminator.imgChannels()) {
            throw new IllegalArgumentException("G makes " + s.imgChannels() + "x" + s.imgResolution() + "x" + s.imgResolution()
                    + " images, D reads " + discriminator.imgChannels() + "x" + discriminator.imgResolution() + "x"
                    + discriminator.imgResolution());
        }
        int group = Math.min(discriminator.mbstdGroupSize(), batchSize);
        if (batchSize < 1 || batchSize % group != 0) {
            throw new IllegalArgumentException("batch " + batchSize + " must be a multiple of the minibatch-stddev group " + group);
        }
        if (!(gLr > 0) || !(dLr > 0) || !(emaKimg > 0) || !(emaRampup >= 0)) {
            throw new IllegalArgumentException("invalid training rates: " + this);
        }
    }

    /** The image side R. */
    public int resolution() {
        return discriminator.imgResolution();
    }

    /**
     * The CPU-sized defaults for {@code resolution} and {@code batchSize}, following stylegan2-ada's "auto"
     * rules (2 mapping layers, gamma = 0.0002 R^2 / batch, lr 0.0025, EMA batch * 10 / 32 kimg with ramp-up
     * 0.05, minibatch-stddev group min(batch, 4)), with z_dim = w_dim = {@code latentDim} and channels
     * min(channelBase / r, channelMax) at resolution r.
     */
    public static TrainingConfig defaults(int resolution, int batchSize, int latentDim, int channelBase, int channelMax, long seed) {
        MappingConfig mapping = new MappingConfig(latentDim, latentDim, 2, latentDim, 0.01, 0.995);
        SynthesisConfig synthesis = new SynthesisConfig(latentDim, resolution, 3, channelBase, channelMax, BiasAct.NO_CLAMP);
        DiscriminatorConfig d = new DiscriminatorConfig(resolution, 3, channelBase, channelMax, BiasAct.NO_CLAMP,
                Math.min(batchSize, 4), 1);
        StyleGAN2LossConfig loss = StyleGAN2LossConfig.of(0.0002 * resolution * resolution / batchSize);
        return new TrainingConfig(new GeneratorConfig(mapping, synthesis), d, loss, batchSize, 0.0025, 0.0025,
                batchSize * 10 / 32.0, 0.05, seed);
    }

    /** This configuration with R1 weight {@code gamma} (the rest of the loss unchanged). */
    public TrainingConfig withR1Gamma(double gamma) {
        StyleGAN2LossConfig l = loss;
        return new TrainingConfig(generator, discriminator, new StyleGAN2LossConfig(gamma, l.styleMixingProb(), l.plBatchShrink(),
                l.plDecay(), l.plWeight(), l.gRegInterval(), l.dRegInterval()), batchSize, gLr, dLr, emaKimg, emaRampup, seed);
    }

    /** This configuration with learning rate {@code lr} for both G and D. */
    public TrainingConfig withLearningRate(double lr) {
        return new TrainingConfig(generator, discriminator, loss, batchSize, lr, lr, emaKimg, emaRampup, seed);
    }

    /** This configuration as string pairs for checkpoint metadata (doubles in round-trip form). */
    public Map<String, String> toMetadata() {
        MappingConfig m = generator.mapping();
        SynthesisConfig s = generator.synthesis();
        DiscriminatorConfig d = discriminator;
        Map<String, String> out = new LinkedHashMap<>();
        out.put("config.z_dim", str(m.zDim()));
        out.put("config.w_dim", str(m.wDim()));
        out.put("config.mapping_layers", str(m.numLayers()));
        out.put("config.mapping_features", str(m.layerFeatures()));
        out.put("config.mapping_lr_multiplier", str(m.lrMultiplier()));
        out.put("config.w_avg_beta", str(m.wAvgBeta()));
        out.put("config.resolution", str(s.imgResolution()));
        out.put("config.img_channels", str(s.imgChannels()));
        out.put("config.g_channel_base", str(s.channelBase()));
        out.put("config.g_channel_max", str(s.channelMax()));
        out.put("config.g_conv_clamp", str(s.convClamp()));
        out.put("config.d_channel_base", str(d.channelBase()));
        out.put("config.d_channel_max", str(d.channelMax()));
        out.put("config.d_conv_clamp", str(d.convClamp()));
        out.put("config.mbstd_group_size", str(d.mbstdGroupSize()));
        out.put("config.mbstd_num_channels", str(d.mbstdNumChannels()));
        out.put("config.r1_gamma", str(loss.r1Gamma()));
        out.put("config.style_mixing_prob", str(loss.styleMixingProb()));
        out.put("config.pl_batch_shrink", str(loss.plBatchShrink()));
        out.put("config.pl_decay", str(loss.plDecay()));
        out.put("config.pl_weight", str(loss.plWeight()));
        out.put("config.g_reg_interval", str(loss.gRegInterval()));
        out.put("config.d_reg_interval", str(loss.dRegInterval()));
        out.put("config.batch_size", str(batchSize));
        out.put("config.g_lr", str(gLr));
        out.put("config.d_lr", str(dLr));
        out.put("config.ema_kimg", str(emaKimg));
        out.put("config.ema_rampup", str(emaRampup));
        out.put("config.seed", Long.toString(seed));
        return out;
    }

    /**
     * The configuration stored by {@link #toMetadata}.
     *
     * @throws IllegalArgumentException naming a missing or malformed key
     */
    public static TrainingConfig fromMetadata(Map<String, String> meta) {
        Reader r = new Reader(meta);
        MappingConfig mapping = new MappingConfig(r.i("z_dim"), r.i("w_dim"), r.i("mapping_layers"), r.i("mapping_features"),
                r.d("mapping_lr_multiplier"), r.d("w_avg_beta"));
        SynthesisConfig synthesis = new SynthesisConfig(r.i("w_dim"), r.i("resolution"), r.i("img_channels"),
                r.i("g_channel_base"), r.i("g_channel_max"), r.d("g_conv_clamp"));
        DiscriminatorConfig d = new DiscriminatorConfig(r.i("resolution"), r.i("img_channels"), r.i("d_channel_base"),
                r.i("d_channel_max"), r.d("d_conv_clamp"), r.i("mbstd_group_size"), r.i("mbstd_num_channels"));
        StyleGAN2LossConfig loss = new StyleGAN2LossConfig(r.d("r1_gamma"), r.d("style_mixing_prob"), r.i("pl_batch_shrink"),
                r.d("pl_decay"), r.d("pl_weight"), r.i("g_reg_interval"), r.i("d_reg_interval"));
        return new TrainingConfig(new GeneratorConfig(mapping, synthesis), d, loss, r.i("batch_size"), r.d("g_lr"),
                r.d("d_lr"), r.d("ema_kimg"), r.d("ema_rampup"), Long.parseLong(r.s("seed")));
    }

    /** The keys whose values differ from {@code other}'s, as "key: this vs other". */
    public List<String> differencesFrom(TrainingConfig other) {
        Map<String, String> a = toMetadata();
        Map<String, String> b = other.toMetadata();
        List<String> out = new ArrayList<>();
        a.forEach((k, v) -> {
            if (!v.equals(b.get(k))) {
                out.add(k.substring("config.".length()) + " " + v + " vs " + b.get(k));
            }
        });
        return out;
    }

    private static String str(int v) {
        return Integer.toString(v);
    }

    private static String str(double v) {
        return Double.toString(v);
    }

    /** Typed access to the metadata with messages naming the key. */
    private record Reader(Map<String, String> meta) {
        String s(String key) {
            String v = meta.get("config." + key);
            if (v == null) {
                throw new IllegalArgumentException("checkpoint metadata lacks config." + key);
            }
            return v;
        }

        int i(String key) {
            try {
                return Integer.parseInt(s(key));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("checkpoint metadata config." + key + " is not an integer: " + s(key));
            }
        }

        double d(String key) {
            try {
                return Double.parseDouble(s(key));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("checkpoint metadata config." + key + " is not a number: " + s(key));
            }
        }
    }
}
