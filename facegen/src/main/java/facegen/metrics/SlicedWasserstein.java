package facegen.metrics;

import facegen.engine.backend.Backend;
import facegen.engine.tensor.GradMode;
import facegen.engine.tensor.Tensor;
import facegen.engine.tensor.TensorScope;
import facegen.nn.Seed;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/**
 * The sliced Wasserstein distance between two image sets on Laplacian-pyramid patches (Karras et al. 2018,
 * "Progressive Growing of GANs", section 5 and appendix D; their metrics/sliced_wasserstein.py): a quality
 * measure that needs no pretrained network.
 *
 * <p>Per image, a Laplacian pyramid from the full resolution down to 16 x 16 (5 x 5 binomial filter, mirror
 * boundaries); per level, 128 random 7 x 7 x 3 patches ({@link #NHOOD_SIZE}), each a 147-dimensional
 * descriptor; each set's descriptors normalised per colour channel (mean 0, std 1 over all patches and
 * positions). Then, per level, SWD = mean over 4 x 128 random unit directions d of the 1-D Wasserstein-1
 * distance between the projections A d and B d, which is the mean |sort(A d) - sort(B d)| for equal counts;
 * reported x 1000 as ProGAN does, per level and averaged. Lower is better; two samples of one distribution
 * give a small positive value that shrinks with the number of images.
 */
public final class SlicedWasserstein {
    /** Side of the square patches. */
    public static final int NHOOD_SIZE = 7;
    /** Patches per image and level. */
    public static final int NHOODS_PER_IMAGE = 128;
    /** Sets of random directions. */
    public static final int DIR_REPEATS = 4;
    /** Directions per set. */
    public static final int DIRS_PER_REPEAT = 128;
    /** The coarsest pyramid level. */
    public static final int MIN_RESOLUTION = 16;

    private static final int DIM = 3 * NHOOD_SIZE * NHOOD_SIZE;
    private static final double[] BINOMIAL = {1 / 16.0, 4 / 16.0, 6 / 16.0, 4 / 16.0, 1 / 16.0};
    /** Descriptor rows projected per matrix product (bounds the transient memory). */
    private static final int PROJECTION_ROWS = 1 << 14;

    private SlicedWasserstein() {}

    /**
     * SWD x 1000 per pyramid level and their mean.
     *
     * @param resolutions the level resolutions, finest first (32, 16 for 32 x 32 images)
     * @param distances   SWD x 1000 at each level
     * @param average     the mean of {@code distances}
     */
    public record Result(int[] resolutions, double[] distances, double average) {

        /** "32px 41.2  16px 30.7  avg 36.0". */
        public String summary() {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < resolutions.length; i++) {
                b.append(String.format(Locale.ROOT, "%dpx %.2f  ", resolutions[i], distances[i]));
            }
            return b.append(String.format(Locale.ROOT, "avg %.2f", average)).toString();
        }
    }

    /** The normalised patch descriptors of one image set, per pyramid level: [count * 128, 147] row-major. */
    public static final class Descriptors {
        private final int images;
        private final int[] resolutions;
        private final float[][] levels;

        private Descriptors(int images, int[] resolutions, float[][] levels) {
            this.images = images;
            this.resolutions = resolutions;
            this.levels = levels;
        }

        /** The number of images described. */
        public int images() {
            return images;
        }
    }

    /** The pyramid level resolutions for images of side {@code resolution}: resolution, resolution / 2, ..., 16. */
    public static int[] levels(int resolution) {
        if (resolution < MIN_RESOLUTION || Integer.bitCount(resolution) != 1) {
            throw new IllegalArgumentException("SWD needs a power-of-two resolution >= " + MIN_RESOLUTION + ", got " + resolution);
        }
        int n = Integer.numberOfTrailingZeros(resolution) - Integer.numberOfTrailingZeros(MIN_RESOLUTION) + 1;
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = resolution >> i;
        }
        return r;
    }

    /**
     * Describes {@code count} images.
     *
     * @param images     image i as planar RGB bytes [3, R, R]
     * @param resolution R
     * @param seed       where the patches are taken (image i, level l draw from seed.derive(i).derive(l))
     */
    public static Descriptors describe(IntFunction<byte[]> images, int count, int resolution, Seed seed) {
        int[] res = levels(resolution);
        float[][] levels = new float[res.length][];
        for (int l = 0; l < res.length; l++) {
            levels[l] = new float[count * NHOODS_PER_IMAGE * DIM];
        }
        IntStream.range(0, count).parallel().forEach(i -> {
            double[][] pyramid = laplacianPyramid(images.apply(i), resolution, res.length);
            for (int l = 0; l < res.length; l++) {
                SplittableRandom random = new SplittableRandom(seed.derive(i).derive(l).value());
                extractPatches(pyramid[l], res[l], random, levels[l], i * NHOODS_PER_IMAGE);
            }
        });
        for (float[] level : levels) {
            normalizePerChannel(level);
        }
        return new Descriptors(count, res, levels);
    }

    /**
     * SWD between two described sets of equal size, the projections computed on {@code backend}.
     *
     * @param seed the random directions (repeat r draws from seed.derive(r))
     */
    public static Result distance(Descriptors a, Descriptors b, Backend backend, Seed seed) {
        if (a.images != b.images || !Arrays.equals(a.resolutions, b.resolutions)) {
            throw new IllegalArgumentException("SWD compares equal-sized sets of one resolution; got " + a.images + " images at "
                    + a.resolutions[0] + " px and " + b.images + " at " + b.resolutions[0] + " px");
        }
        double[] distances = new double[a.resolutions.length];
        for (int l = 0; l < distances.length; l++) {
            double sum = 0;
            for (int r = 0; r < DIR_REPEATS; r++) {
                float[] dirs = directions(seed.derive(r));
                float[][] pa = project(a.levels[l], dirs, backend);
                float[][] pb = project(b.levels[l], dirs, backend);
                double[] perDir = new double[DIRS_PER_REPEAT];
                IntStream.range(0, DIRS_PER_REPEAT).parallel().forEach(d -> {
                    Arrays.sort(pa[d]);
                    Arrays.sort(pb[d]);
                    double s = 0;
                    for (int i = 0; i < pa[d].length; i++) {
                        s += Math.abs(pa[d][i] - pb[d][i]);
                    }
                    perDir[d] = s / pa[d].length;
                });
                sum += Arrays.stream(perDir).sum() / DIRS_PER_REPEAT;
            }
            distances[l] = sum / DIR_REPEATS * 1e3;
        }
        return new Result(a.resolutions.clone(), distances, Arrays.stream(distances).average().orElseThrow());
    }

    /** 128 directions of N(0, I) normalised to unit length, [147, 128] row-major. */
    private static float[] directions(Seed seed) {
        SplittableRandom random = new SplittableRandom(seed.value());
        double[] d = new double[DIM * DIRS_PER_REPEAT];
        for (int i = 0; i < d.length; i++) {
            d[i] = random.nextGaussian();
        }
        float[] out = new float[d.length];
        for (int j = 0; j < DIRS_PER_REPEAT; j++) {
            double norm = 0;
            for (int k = 0; k < DIM; k++) {
                norm += d[k * DIRS_PER_REPEAT + j] * d[k * DIRS_PER_REPEAT + j];
            }
            norm = Math.sqrt(norm);
            for (int k = 0; k < DIM; k++) {
                out[k * DIRS_PER_REPEAT + j] = (float) (d[k * DIRS_PER_REPEAT + j] / norm);
            }
        }
        return out;
    }

    /** The projections of every descriptor on every direction, by direction: [128][rows]. */
    private static float[][] project(float[] descriptors, float[] dirs, Backend backend) {
        int rows = descriptors.length / DIM;
        float[][] out = new float[DIRS_PER_REPEAT][rows];
        double[] dirValues = new double[dirs.length];
        for (int i = 0; i < dirs.length; i++) {
            dirValues[i] = dirs[i];
        }
        try (GradMode _ = GradMode.disabled(); TensorScope _ = TensorScope.open()) {
            Tensor d = Tensor.of(backend, dirValues, DIM, DIRS_PER_REPEAT);
            for (int r0 = 0; r0 < rows; r0 += PROJECTION_ROWS) {
                int n = Math.min(PROJECTION_ROWS, rows - r0);
                double[] chunk = new double[n * DIM];
                for (int i = 0; i < chunk.length; i++) {
                    chunk[i] = descriptors[r0 * DIM + i];
                }
                try (TensorScope _ = TensorScope.open()) {
                    double[] p = Tensor.of(backend, chunk, n, DIM).matmul(d).toArray();   // [n, 128]
                    for (int i = 0; i < n; i++) {
                        for (int j = 0; j < DIRS_PER_REPEAT; j++) {
                            out[j][r0 + i] = (float) p[i * DIRS_PER_REPEAT + j];
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Subtracts each channel's mean and divides by its standard deviation, over all patches and positions. */
    private static void normalizePerChannel(float[] level) {
        int per = NHOOD_SIZE * NHOOD_SIZE;
        int patches = level.length / DIM;
        for (int c = 0; c < 3; c++) {
            double sum = 0;
            double sumSq = 0;
            for (int p = 0; p < patches; p++) {
                for (int k = 0; k < per; k++) {
                    double v = level[p * DIM + c * per + k];
                    sum += v;
                    sumSq += v * v;
                }
            }
            double n = (double) patches * per;
            double mean = sum / n;
            double std = Math.sqrt(Math.max(sumSq / n - mean * mean, 0));
            double scale = std > 0 ? 1 / std : 1;
            for (int p = 0; p < patches; p++) {
                for (int k = 0; k < per; k++) {
                    int i = p * DIM + c * per + k;
                    level[i] = (float) ((level[i] - mean) * scale);
                }
            }
        }
    }

    /** 128 patches 7 x 7 x 3 at random centres of a level of side {@code s}, written at descriptor row {@code row}. */
    private static void extractPatches(double[] level, int s, SplittableRandom random, float[] out, int row) {
        int h = NHOOD_SIZE / 2;
        for (int p = 0; p < NHOODS_PER_IMAGE; p++) {
            int x = random.nextInt(h, s - h);
            int y = random.nextInt(h, s - h);
            int o = (row + p) * DIM;
            for (int c = 0; c < 3; c++) {
                for (int dy = -h; dy <= h; dy++) {
                    for (int dx = -h; dx <= h; dx++) {
                        out[o++] = (float) level[c * s * s + (y + dy) * s + x + dx];
                    }
                }
            }
        }
    }

    /**
     * The Laplacian pyramid of an image [3, R, R] (values 0..255): level l is G_l - up(G_{l+1}) and the last is
     * G_last, with G_0 the image and G_{l+1} = down(G_l) (ProGAN's pyr_down / pyr_up with mirror boundaries).
     */
    static double[][] laplacianPyramid(byte[] image, int resolution, int levels) {
        double[][] gauss = new double[levels][];
        gauss[0] = new double[image.length];
        for (int i = 0; i < image.length; i++) {
            gauss[0][i] = image[i] & 0xff;
        }
        for (int l = 1; l < levels; l++) {
            gauss[l] = pyrDown(gauss[l - 1], resolution >> (l - 1));
        }
        double[][] lap = new double[levels][];
        for (int l = 0; l < levels - 1; l++) {
            double[] up = pyrUp(gauss[l + 1], resolution >> (l + 1));
            lap[l] = new double[up.length];
            for (int i = 0; i < up.length; i++) {
                lap[l][i] = gauss[l][i] - up[i];
            }
        }
        lap[levels - 1] = gauss[levels - 1];
        return lap;
    }

    /** Binomial 5 x 5 blur (mirror boundaries), then every second pixel: [3, s, s] to [3, s / 2, s / 2]. */
    static double[] pyrDown(double[] x, int s) {
        double[] blurred = blur(x, s, 1);
        int h = s / 2;
        double[] out = new double[3 * h * h];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < h; j++) {
                    out[c * h * h + i * h + j] = blurred[c * s * s + 2 * i * s + 2 * j];
                }
            }
        }
        return out;
    }

    /** Zero insertion, then the binomial blur x 4: [3, s, s] to [3, 2s, 2s]. */
    static double[] pyrUp(double[] x, int s) {
        int t = 2 * s;
        double[] up = new double[3 * t * t];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < s; i++) {
                for (int j = 0; j < s; j++) {
                    up[c * t * t + 2 * i * t + 2 * j] = x[c * s * s + i * s + j];
                }
            }
        }
        return blur(up, t, 4);
    }

    /** The separable binomial filter times {@code gain} with scipy's 'mirror' boundary (d c b | a b c d | c b a). */
    private static double[] blur(double[] x, int s, double gain) {
        double[] rows = new double[x.length];
        double[] out = new double[x.length];
        for (int c = 0; c < 3; c++) {
            int o = c * s * s;
            for (int i = 0; i < s; i++) {
                for (int j = 0; j < s; j++) {
                    double v = 0;
                    for (int k = -2; k <= 2; k++) {
                        v += BINOMIAL[k + 2] * x[o + i * s + mirror(j + k, s)];
                    }
                    rows[o + i * s + j] = v;
                }
            }
            for (int i = 0; i < s; i++) {
                for (int j = 0; j < s; j++) {
                    double v = 0;
                    for (int k = -2; k <= 2; k++) {
                        v += BINOMIAL[k + 2] * rows[o + mirror(i + k, s) * s + j];
                    }
                    out[o + i * s + j] = v * gain;
                }
            }
        }
        return out;
    }

    private static int mirror(int i, int n) {
        if (i < 0) {
            return -i;
        }
        return i >= n ? 2 * n - 2 - i : i;
    }
}
