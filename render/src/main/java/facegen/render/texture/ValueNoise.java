package facegen.render.texture;

/**
 * Smooth 2-D value noise in [-1, 1]: random values on the integer lattice (hashed from a seed), blended with a
 * quintic fade. Deterministic for a seed on every platform.
 */
final class ValueNoise {
    private final long seed;

    ValueNoise(long seed) {
        this.seed = seed;
    }

    /** The noise at (x, y). */
    double at(double x, double y) {
        long x0 = (long) Math.floor(x);
        long y0 = (long) Math.floor(y);
        double fx = fade(x - x0);
        double fy = fade(y - y0);
        double a = lattice(x0, y0);
        double b = lattice(x0 + 1, y0);
        double c = lattice(x0, y0 + 1);
        double d = lattice(x0 + 1, y0 + 1);
        return (a + (b - a) * fx) + ((c + (d - c) * fx) - (a + (b - a) * fx)) * fy;
    }

    private double lattice(long x, long y) {
        long h = seed ^ (x * 0x9E3779B97F4A7C15L) ^ (y * 0xC2B2AE3D27D4EB4FL);
        h = (h ^ (h >>> 31)) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 29)) * 0x94D049BB133111EBL;
        h ^= h >>> 32;
        return ((h >>> 11) * 0x1.0p-53) * 2 - 1;
    }

    private static double fade(double t) {
        return t * t * t * (t * (t * 6 - 15) + 10);
    }
}
