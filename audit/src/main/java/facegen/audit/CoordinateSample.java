package facegen.audit;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The flat indices of one input at which central differences are taken: all of them for a small input, a fixed
 * random subset of {@code max} for a big one (each costs two evaluations of the function).
 *
 * @param indices sorted, distinct flat indices
 */
public record CoordinateSample(int[] indices) {

    /** Copies the indices. */
    public CoordinateSample {
        indices = indices.clone();
    }

    /** Every index when {@code n <= max}, otherwise {@code max} distinct ones drawn with {@code seed}. */
    public static CoordinateSample of(int n, int max, long seed) {
        int[] all = new int[n];
        Arrays.setAll(all, i -> i);
        if (n <= max) {
            return new CoordinateSample(all);
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < max; i++) {                                      // partial Fisher-Yates
            int j = random.nextInt(i, n);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        int[] chosen = Arrays.copyOf(all, max);
        Arrays.sort(chosen);
        return new CoordinateSample(chosen);
    }

    /** The values of {@code all} at the sampled indices. */
    public double[] pick(double[] all) {
        double[] v = new double[indices.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = all[indices[i]];
        }
        return v;
    }
}
