package facegen.nn;

import java.nio.charset.StandardCharsets;

/**
 * A 64-bit random seed and the rule that derives child seeds from it: child = splitmix64(seed XOR fnv1a64(name)).
 *
 * <p>Every random draw in nn (initial weights, per-layer noise, latents, style-mixing cutoffs, path-length noise)
 * takes its seed from a parent seed and a stable name, never from a global generator. So a parameter's initial
 * value depends only on the root seed and its dotted name: adding a layer does not reshuffle the others, and a
 * training step is reproducible from its step seed.
 *
 * @param value the seed, as {@code Tensor.randn} takes it
 */
public record Seed(long value) {

    /** The seed of the child called {@code name} (e.g. a parameter's dotted name, or "z", "pl_noise"). */
    public Seed derive(String name) {
        long hash = 0xcbf29ce484222325L;                                 // FNV-1a 64: stable across JVMs and platforms
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
        }
        return new Seed(mix(value ^ hash));
    }

    /** The seed of the {@code index}-th child (e.g. training step k). */
    public Seed derive(long index) {
        return new Seed(mix(value + 0x9e3779b97f4a7c15L * (index + 1)));
    }

    /** The splitmix64 finaliser: a bijection on 64-bit values that spreads every input bit over the output. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
