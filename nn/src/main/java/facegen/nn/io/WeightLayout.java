package facegen.nn.io;

import facegen.engine.tensor.Shape;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a weight file names and shapes the tensors of a StyleGAN2 generator or discriminator, and the table that
 * maps each of our dotted slot names to the file's name and shape:
 * <ul>
 *   <li>{@link #FACEGEN}: our own names (checkpoints of this project);</li>
 *   <li>{@link #STYLEGAN2_ADA}: NVlabs/stylegan2-ada-pytorch's {@code G.state_dict()} / {@code D.state_dict()},
 *       which our modules mirror name for name; its {@code resample_filter} buffers are constants we rebuild;</li>
 *   <li>{@link #ROSINALITY}: rosinality/stylegan2-pytorch's {@code Generator} / {@code Discriminator} (the
 *       {@code g_ema} and {@code d} entries of its checkpoints), e.g. {@code synthesis.b8.conv0.weight [O, I, 3, 3]}
 *       is {@code convs.0.conv.weight [1, O, I, 3, 3]}; its blur kernels are constants, and it keeps no w_avg.</li>
 * </ul>
 * Both upstream networks compute what ours do with these weights (same equalised-lr scaling, demodulation,
 * FIR filters and padding), so an imported network gives the outputs of the original up to float rounding.
 */
public enum WeightLayout {
    /** This project's names. */
    FACEGEN,
    /** stylegan2-ada-pytorch's names (identical to ours, plus constant resample_filter buffers). */
    STYLEGAN2_ADA,
    /** rosinality/stylegan2-pytorch's names and shapes. */
    ROSINALITY;

    /**
     * Where a slot's value is in a file of this layout.
     *
     * @param name  the tensor's name in the file
     * @param shape its shape in the file (same element count and order as the slot's)
     */
    public record Source(String name, Shape shape) {}

    private static final Pattern MAPPING_FC = Pattern.compile("mapping\\.fc(\\d+)\\.(weight|bias)");
    private static final Pattern SYNTHESIS = Pattern.compile("synthesis\\.b(\\d+)\\.(const|conv0|conv1|torgb)(?:\\.(.+))?");
    private static final Pattern DISCRIMINATOR = Pattern.compile("b(\\d+)\\.(fromrgb|conv0|conv1|skip|conv|fc|out)\\.(weight|bias)");

    /**
     * The file tensor holding slot {@code name} of shape {@code shape}, or null when files of this layout do not
     * have it (rosinality's mapping.w_avg: keep the initial value or estimate it).
     *
     * @param imgResolution the discriminator's input resolution (rosinality numbers its blocks from the top);
     *                      unused for generators
     * @throws IllegalArgumentException for a slot name the layout has no rule for
     */
    public Source source(String name, Shape shape, int imgResolution) {
        if (this != ROSINALITY) {
            return new Source(name, shape);
        }
        Matcher m;
        if (name.equals("mapping.w_avg")) {
            return null;
        }
        if ((m = MAPPING_FC.matcher(name)).matches()) {
            return new Source("style." + (Integer.parseInt(m.group(1)) + 1) + "." + m.group(2), shape);
        }
        if ((m = SYNTHESIS.matcher(name)).matches()) {
            int res = Integer.parseInt(m.group(1));
            int level = log2(res) - 3;                                   // 0 for b8
            String layer = m.group(2);
            String rest = m.group(3);
            if (layer.equals("const")) {
                return new Source("input.input", prepend(shape, 1));
            }
            if (layer.equals("torgb")) {
                String base = res == 4 ? "to_rgb1." : "to_rgbs." + level + ".";
                return switch (rest) {
                    case "weight" -> new Source(base + "conv.weight", prepend(shape, 1));
                    case "affine.weight", "affine.bias" -> new Source(base + "conv.modulation." + rest.substring(7), shape);
                    case "bias" -> new Source(base + "bias", Shape.of(1, shape.dim(0), 1, 1));
                    default -> throw unknown(name);
                };
            }
            int conv = layer.equals("conv0") ? 0 : 1;
            String base = res == 4 ? "conv1." : "convs." + (2 * level + conv) + ".";
            int noiseIndex = res == 4 ? 0 : 2 * level + conv + 1;
            return switch (rest) {
                case "weight" -> new Source(base + "conv.weight", prepend(shape, 1));
                case "affine.weight", "affine.bias" -> new Source(base + "conv.modulation." + rest.substring(7), shape);
                case "noise_strength" -> new Source(base + "noise.weight", Shape.of(1));
                case "bias" -> new Source(base + "activate.bias", shape);
                case "noise_const" -> new Source("noises.noise_" + noiseIndex, prepend(prepend(shape, 1), 1));
                default -> throw unknown(name);
            };
        }
        if ((m = DISCRIMINATOR.matcher(name)).matches()) {
            int res = Integer.parseInt(m.group(1));
            String layer = m.group(2);
            String kind = m.group(3);
            String block = "convs." + (log2(imgResolution) - log2(res) + 1) + ".";
            String file = switch (layer) {
                case "fromrgb" -> kind.equals("weight") ? "convs.0.0.weight" : "convs.0.1.bias";
                case "conv0" -> block + (kind.equals("weight") ? "conv1.0.weight" : "conv1.1.bias");
                case "conv1" -> block + (kind.equals("weight") ? "conv2.1.weight" : "conv2.2.bias");
                case "skip" -> block + "skip.1." + kind;
                case "conv" -> kind.equals("weight") ? "final_conv.0.weight" : "final_conv.1.bias";
                case "fc" -> "final_linear.0." + kind;
                case "out" -> "final_linear.1." + kind;
                default -> throw unknown(name);
            };
            return new Source(file, shape);
        }
        throw unknown(name);
    }

    /**
     * True for a file tensor that is a constant of the upstream code rather than a weight (FIR filters), which
     * loading skips.
     */
    public boolean isConstant(String fileName) {
        return switch (this) {
            case FACEGEN -> false;
            case STYLEGAN2_ADA -> fileName.endsWith("resample_filter");
            case ROSINALITY -> CONSTANT_SUFFIXES.stream().anyMatch(fileName::endsWith);
        };
    }

    private static final List<String> CONSTANT_SUFFIXES = List.of(".blur.kernel", ".upsample.kernel", ".0.kernel");

    private static Shape prepend(Shape shape, int extent) {
        int[] d = new int[shape.rank() + 1];
        d[0] = extent;
        System.arraycopy(shape.dims(), 0, d, 1, shape.rank());
        return new Shape(d);
    }

    private static int log2(int res) {
        return Integer.numberOfTrailingZeros(res);
    }

    private IllegalArgumentException unknown(String name) {
        return new IllegalArgumentException("the " + this + " layout has no rule for '" + name + "'");
    }
}
