package facegen.train;

import facegen.data.ImageDataset;
import facegen.engine.backend.Backend;
import facegen.engine.tensor.Shape;
import facegen.nn.Parameter;
import facegen.nn.io.Safetensors;
import facegen.nn.io.StateDict;
import facegen.engine.io.StoredTensor;
import facegen.engine.io.TensorFile;
import facegen.engine.io.WeightFileException;
import facegen.nn.optim.Adam;
import facegen.nn.stylegan.Generator;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A training run's complete state as one safetensors file, written atomically, readable from Python
 * ({@code safetensors.torch.load_file}):
 * <pre>
 *   G.NAME, G_ema.NAME, D.NAME        every parameter and buffer (w_avg, noise_const) of the three networks
 *   G_opt.NAME.m / .v / .step         G's Adam moments and per-parameter step count (I64); likewise D_opt
 *   __metadata__                      format, step, cur_nimg, pl_mean, train_seconds, backend, dataset and the
 *                                     {@link TrainingConfig} (config.*), all as strings
 * </pre>
 * Tensors keep the backend's element type (F32 on cpu), so a reload is bit-exact. Nothing else is needed to
 * resume: every random draw of step k derives from the stored seed and k.
 */
public final class Checkpoint {
    /** The value of the "format" metadata entry. */
    public static final String FORMAT = "facegen-stylegan2-training/1";

    private Checkpoint() {}

    /** Writes the state of {@code trainer} to {@code file} (atomically: a crash leaves the old file or none). */
    public static void save(Trainer trainer, Path file) throws IOException {
        Map<String, StoredTensor> tensors = new LinkedHashMap<>();
        put(tensors, "G.", StateDict.of(trainer.generator()));
        put(tensors, "G_ema.", StateDict.of(trainer.generatorEma()));
        put(tensors, "D.", StateDict.of(trainer.discriminator()));
        putAdam(tensors, "G_opt.", trainer.optimizerG());
        putAdam(tensors, "D_opt.", trainer.optimizerD());
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("step", Long.toString(trainer.step()));
        meta.put("cur_nimg", Long.toString(trainer.curNimg()));
        meta.put("pl_mean", Double.toString(trainer.loss().plMean()));
        meta.put("train_seconds", Double.toString(trainer.trainSeconds()));
        meta.put("backend", trainer.backend().name());
        meta.put("dataset", trainer.data().describe());
        meta.putAll(trainer.config().toMetadata());
        Safetensors.write(file, tensors, meta);
    }

    /**
     * A trainer restored from {@code file}, ready to run the step after the saved one.
     *
     * @throws WeightFileException      for a corrupt or truncated file
     * @throws IllegalArgumentException for a file that is not a facegen training checkpoint, or whose tensors do
     *                                  not fit its configuration (naming the tensor and both shapes)
     */
    public static Trainer load(Path file, ImageDataset data, Backend backend) throws IOException {
        TensorFile f = Safetensors.read(file);
        TrainingConfig config = config(f, file);
        Trainer t = new Trainer(config, data, backend);
        try {
            StateDict.load(t.generator(), f.withPrefix("G."), backend);
            StateDict.load(t.generatorEma(), f.withPrefix("G_ema."), backend);
            StateDict.load(t.discriminator(), f.withPrefix("D."), backend);
            loadAdam(t.optimizerG(), t.generator().namedParameters(), f.withPrefix("G_opt."), backend);
            loadAdam(t.optimizerD(), t.discriminator().namedParameters(), f.withPrefix("D_opt."), backend);
            t.loss().setPlMean(Double.parseDouble(meta(f, "pl_mean", file)));
            t.restored(Long.parseLong(meta(f, "step", file)), Double.parseDouble(meta(f, "train_seconds", file)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        return t;
    }

    /** G_ema of the checkpoint in {@code file}, in evaluation mode, and its configuration (for sampling and metrics). */
    public static Generated loadGenerator(Path file, Backend backend) throws IOException {
        TensorFile f = Safetensors.read(file);
        TrainingConfig config = config(f, file);
        Generator g = new Generator(config.generator());
        try {
            StateDict.load(g, f.withPrefix("G_ema."), backend);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        g.requireGrad(false);
        g.train(false);
        return new Generated(g, config, Long.parseLong(meta(f, "cur_nimg", file)));
    }

    /**
     * A generator read from a checkpoint.
     *
     * @param generator G_ema, evaluation mode, frozen
     * @param config    the run's configuration
     * @param curNimg   real images shown when the checkpoint was written
     */
    public record Generated(Generator generator, TrainingConfig config, long curNimg) {}

    private static TrainingConfig config(TensorFile f, Path file) {
        if (!Checkpoint.FORMAT.equals(f.metadata().get("format"))) {
            throw new IllegalArgumentException(file + " is not a facegen training checkpoint (metadata format is "
                    + f.metadata().get("format") + ", expected " + FORMAT + ")");
        }
        try {
            return TrainingConfig.fromMetadata(f.metadata());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    private static String meta(TensorFile f, String key, Path file) {
        String v = f.metadata().get(key);
        if (v == null) {
            throw new IllegalArgumentException(file + ": checkpoint metadata lacks '" + key + "'");
        }
        return v;
    }

    private static void put(Map<String, StoredTensor> out, String prefix, Map<String, StoredTensor> tensors) {
        tensors.forEach((name, t) -> out.put(prefix + name, t));
    }

    private static void putAdam(Map<String, StoredTensor> out, String prefix, Adam opt) {
        opt.state().forEach((name, s) -> {
            out.put(prefix + name + ".m", StoredTensor.of(s.m()));
            out.put(prefix + name + ".v", StoredTensor.of(s.v()));
            out.put(prefix + name + ".step", StoredTensor.ofLong(s.step()));
        });
    }

    private static void loadAdam(Adam opt, Map<String, Parameter> parameters, Map<String, StoredTensor> tensors, Backend backend) {
        Map<String, Adam.Moments> state = new LinkedHashMap<>();
        for (String key : tensors.keySet()) {
            if (!key.endsWith(".step")) {
                continue;
            }
            String name = key.substring(0, key.length() - ".step".length());
            Parameter p = parameters.get(name);
            StoredTensor m = tensors.get(name + ".m");
            StoredTensor v = tensors.get(name + ".v");
            if (p == null || m == null || v == null) {
                throw new IllegalArgumentException("optimizer state '" + name + "' is incomplete or names no parameter");
            }
            for (StoredTensor moment : new StoredTensor[] {m, v}) {
                if (!moment.shape().equals(p.shape())) {
                    throw new IllegalArgumentException("optimizer moment of '" + name + "' has shape " + moment.shape()
                            + " in the file, the parameter " + p.shape());
                }
            }
            StoredTensor count = tensors.get(key);
            if (!count.shape().equals(Shape.scalar())) {
                throw new IllegalArgumentException("optimizer step of '" + name + "' is not a scalar");
            }
            state.put(name, new Adam.Moments((long) count.values()[0], m.toTensor(backend), v.toTensor(backend)));
        }
        if (state.size() * 3 != tensors.size()) {
            throw new IllegalArgumentException("optimizer state has " + tensors.size() + " tensors, not 3 per parameter");
        }
        opt.loadState(state);
    }
}
