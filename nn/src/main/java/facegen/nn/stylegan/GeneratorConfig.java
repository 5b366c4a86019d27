package facegen.nn.stylegan;

/**
 * Hyper-parameters of the {@link Generator}: its mapping and synthesis networks, which must agree on w_dim.
 *
 * @param mapping   the mapping network z -> w
 * @param synthesis the synthesis network ws -> image
 */
public record GeneratorConfig(MappingConfig mapping, SynthesisConfig synthesis) {

    /** Checks that both networks use the same w_dim. */
    public GeneratorConfig {
        if (mapping.wDim() != synthesis.wDim()) {
            throw new IllegalArgumentException("mapping w_dim " + mapping.wDim() + " differs from synthesis w_dim "
                    + synthesis.wDim());
        }
    }

    /** The paper's generator (z_dim = w_dim = 512 there) for {@code imgResolution} and {@code imgChannels}. */
    public static GeneratorConfig of(int zDim, int wDim, int imgResolution, int imgChannels) {
        return new GeneratorConfig(MappingConfig.of(zDim, wDim), SynthesisConfig.of(wDim, imgResolution, imgChannels));
    }

    /** This generator with other synthesis channel counts (small networks for tests and the CPU demo). */
    public GeneratorConfig withChannels(int base, int max) {
        return new GeneratorConfig(mapping, synthesis.withChannels(base, max));
    }
}
