package facegen.data;

import facegen.nn.Seed;

import java.util.SplittableRandom;

/**
 * The built-in dataset: face-like pictures that facegen draws itself, for tests and demos without downloads.
 * Image i depends only on (seed, i, resolution): a head (skin tone, shape, tilt and position drawn at random)
 * lit from one side, hair of several colours and lengths, eyes with irises, brows, a nose shadow, a mouth that
 * may smile or open, sometimes glasses, a neck and shirt, on a two-tone background. Drawn at 4 x 4 samples per
 * pixel (anti-aliased), so 32 x 32 and 64 x 64 versions of an index show the same face.
 */
public final class ProceduralFaces implements ImageDataset {
    /** Samples per pixel along each axis. */
    private static final int SUPERSAMPLING = 4;

    private static final double[][] SKIN = {{0.97, 0.82, 0.71}, {0.90, 0.70, 0.56}, {0.76, 0.55, 0.40}, {0.55, 0.37, 0.25}, {0.38, 0.25, 0.17}};
    private static final double[][] HAIR = {{0.08, 0.06, 0.05}, {0.25, 0.15, 0.08}, {0.45, 0.30, 0.15}, {0.85, 0.70, 0.40},
        {0.60, 0.25, 0.10}, {0.65, 0.65, 0.65}};
    private static final double[][] IRIS = {{0.30, 0.18, 0.08}, {0.20, 0.40, 0.65}, {0.25, 0.45, 0.25}, {0.12, 0.08, 0.05}};

    private final int resolution;
    private final int count;
    private final long seed;
    private final byte[][] cache;

    /**
     * A dataset of {@code count} faces of side {@code resolution}.
     *
     * @param resolution the image side, >= 8
     * @param count      the number of images, >= 1
     * @param seed       selects the faces
     */
    public ProceduralFaces(int resolution, int count, long seed) {
        if (resolution < 8 || count < 1) {
            throw new IllegalArgumentException("procedural faces need resolution >= 8 and count >= 1, got " + resolution + ", " + count);
        }
        this.resolution = resolution;
        this.count = count;
        this.seed = seed;
        this.cache = new byte[count][];
    }

    @Override
    public int size() {
        return count;
    }

    @Override
    public int resolution() {
        return resolution;
    }

    @Override
    public String describe() {
        return count + " built-in procedural faces (seed " + seed + ")";
    }

    @Override
    public synchronized byte[] image(int index) {
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException("image " + index + " of " + count);
        }
        if (cache[index] == null) {
            cache[index] = draw(new Face(new SplittableRandom(new Seed(seed).derive(index).value())), resolution);
        }
        return cache[index].clone();
    }

    /** The random traits of one face; coordinates are in [-1, 1], y pointing down. */
    private static final class Face {
        final double[] bgTop;
        final double[] bgBottom;
        final double cx;
        final double cy;
        final double a;                                                  // half width of the head
        final double b;                                                  // half height
        final double tilt;
        final double[] skin;
        final double light;                                              // -1 = lit from the left
        final double[] hair;
        final double hairline;                                           // head-relative y of the hairline
        final double hairLength;                                         // head-relative y where side hair ends
        final double eyeY;
        final double eyeDx;
        final double eyeSize;
        final double[] iris;
        final double browLift;
        final double mouthY;
        final double mouthWidth;
        final double smile;
        final boolean mouthOpen;
        final boolean glasses;
        final double[] shirt;

        Face(SplittableRandom r) {
            double hue = r.nextDouble();
            bgTop = hsv(hue, 0.15 + 0.3 * r.nextDouble(), 0.35 + 0.5 * r.nextDouble());
            bgBottom = hsv(hue + 0.1 * r.nextDouble(), 0.2 + 0.3 * r.nextDouble(), 0.25 + 0.4 * r.nextDouble());
            cx = (r.nextDouble() - 0.5) * 0.16;
            cy = -0.05 + (r.nextDouble() - 0.5) * 0.12;
            a = 0.42 + 0.14 * r.nextDouble();
            b = 0.56 + 0.12 * r.nextDouble();
            tilt = (r.nextDouble() - 0.5) * 0.25;
            skin = mix(SKIN, r.nextDouble() * (SKIN.length - 1));
            light = r.nextDouble() * 2 - 1;
            hair = HAIR[r.nextInt(HAIR.length)];
            hairline = -0.55 + 0.25 * r.nextDouble();
            hairLength = r.nextDouble() < 0.4 ? 0.2 + 0.9 * r.nextDouble() : -0.3;
            eyeY = -0.12 + 0.1 * r.nextDouble();
            eyeDx = 0.33 + 0.1 * r.nextDouble();
            eyeSize = 0.8 + 0.4 * r.nextDouble();
            iris = IRIS[r.nextInt(IRIS.length)];
            browLift = 0.02 + 0.08 * r.nextDouble();
            mouthY = 0.45 + 0.12 * r.nextDouble();
            mouthWidth = 0.25 + 0.15 * r.nextDouble();
            smile = (r.nextDouble() - 0.3) * 0.25;
            mouthOpen = r.nextDouble() < 0.25;
            glasses = r.nextDouble() < 0.15;
            shirt = hsv(r.nextDouble(), 0.3 + 0.5 * r.nextDouble(), 0.3 + 0.6 * r.nextDouble());
        }

        /** The colour at image point (x, y). */
        double[] color(double x, double y) {
            double[] c = mixTwo(bgTop, bgBottom, (y + 1) / 2);
            // head-relative coordinates: u across, v down, both about [-1, 1] inside the head
            double cos = Math.cos(tilt);
            double sin = Math.sin(tilt);
            double dx = x - cx;
            double dy = y - cy;
            double u = (dx * cos + dy * sin) / a;
            double v = (-dx * sin + dy * cos) / b;
            double head = u * u + v * v;

            double hu = u / 1.22;
            double hv = v < 0 ? v / 1.12 : 0;
            if (hairLength > 0 && hu * hu + hv * hv < 1 && v < hairLength && head > 1) {
                c = shade(hair, 0.8);                                    // long hair behind the head
            }
            if (Math.abs(dx) < a * 0.45 && dy > b * 0.6) {               // neck and shirt
                c = shade(skin, 0.78);
            }
            if (dy > b * 0.95 + Math.abs(dx) * 0.35) {
                c = shirt;
            }
            if (head < 1) {
                double lit = 0.82 + 0.16 * light * u - 0.12 * Math.max(0, head - 0.6);
                c = shade(skin, lit);
                if (Math.abs(u) < 0.1 && v > -0.15 && v < 0.28) {        // nose shadow on the unlit side
                    c = shade(c, u * light < 0 ? 0.82 : 0.95);
                }
                for (int side = -1; side <= 1; side += 2) {
                    double ex = (u - side * eyeDx) / (0.17 * eyeSize);
                    double ey = (v - eyeY) / (0.085 * eyeSize);
                    double eye = ex * ex + ey * ey;
                    if (eye < 1) {
                        c = new double[] {0.93, 0.92, 0.90};
                        if (ex * ex * 4 + ey * ey * 0.9 < 1) {
                            c = iris;
                        }
                        if (ex * ex * 16 + ey * ey * 4 < 1) {
                            c = new double[] {0.03, 0.03, 0.03};
                        }
                    }
                    double browV = eyeY - 0.17 - browLift + 0.12 * Math.pow((u - side * eyeDx) / 0.25, 2);
                    if (Math.abs(v - browV) < 0.035 && Math.abs(u - side * eyeDx) < 0.22) {
                        c = shade(hair, 0.7);
                    }
                    if (glasses && Math.abs(Math.sqrt(ex * ex * 0.5 + ey * ey * 0.3) - 1) < 0.12) {
                        c = new double[] {0.1, 0.1, 0.12};
                    }
                }
                double mu = u / mouthWidth;
                double mouthCurve = mouthY - smile * (mu * mu - 0.5);       // smile > 0 lifts the corners
                if (Math.abs(mu) < 1 && Math.abs(v - mouthCurve) < (mouthOpen ? 0.07 * (1 - mu * mu) + 0.02 : 0.035)) {
                    c = mouthOpen && Math.abs(v - mouthCurve) < 0.045 * (1 - mu * mu) ? new double[] {0.25, 0.05, 0.06}
                            : new double[] {Math.min(1, skin[0] * 0.85 + 0.1), skin[1] * 0.55, skin[2] * 0.55};
                }
            }
            if (v < hairline + 0.25 * u * u && (u * u / 1.1 + v * v / 1.05) < 1.15 && v < 0.1) {
                c = shade(hair, 0.85 + 0.15 * light * u);                // the hair cap over the forehead
            }
            return c;
        }
    }

    private static byte[] draw(Face face, int r) {
        byte[] out = new byte[3 * r * r];
        double[] sum = new double[3];
        for (int py = 0; py < r; py++) {
            for (int px = 0; px < r; px++) {
                sum[0] = sum[1] = sum[2] = 0;
                for (int sy = 0; sy < SUPERSAMPLING; sy++) {
                    for (int sx = 0; sx < SUPERSAMPLING; sx++) {
                        double x = (px + (sx + 0.5) / SUPERSAMPLING) / r * 2 - 1;
                        double y = (py + (sy + 0.5) / SUPERSAMPLING) / r * 2 - 1;
                        double[] c = face.color(x, y);
                        sum[0] += c[0];
                        sum[1] += c[1];
                        sum[2] += c[2];
                    }
                }
                for (int ch = 0; ch < 3; ch++) {
                    double v = sum[ch] / (SUPERSAMPLING * SUPERSAMPLING);
                    out[ch * r * r + py * r + px] = (byte) Math.round(255 * Math.max(0, Math.min(1, v)));
                }
            }
        }
        return out;
    }

    private static double[] shade(double[] c, double k) {
        return new double[] {c[0] * k, c[1] * k, c[2] * k};
    }

    private static double[] mixTwo(double[] p, double[] q, double t) {
        return new double[] {p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t, p[2] + (q[2] - p[2]) * t};
    }

    private static double[] mix(double[][] palette, double t) {
        int i = Math.min((int) t, palette.length - 2);
        return mixTwo(palette[i], palette[i + 1], t - i);
    }

    private static double[] hsv(double h, double s, double v) {
        h = (h % 1 + 1) % 1 * 6;
        int i = (int) h;
        double f = h - i;
        double p = v * (1 - s);
        double q = v * (1 - s * f);
        double t = v * (1 - s * (1 - f));
        return switch (i) {
            case 0 -> new double[] {v, t, p};
            case 1 -> new double[] {q, v, p};
            case 2 -> new double[] {p, v, t};
            case 3 -> new double[] {p, q, v};
            case 4 -> new double[] {t, p, v};
            default -> new double[] {v, p, q};
        };
    }
}
