package facegen.render.texture;

import facegen.engine.backend.Backend;
import facegen.engine.tensor.Tensor;
import facegen.render.head.FaceMeshData;

import java.util.SplittableRandom;

/**
 * Procedural UV albedo maps for the default head's UV layout (the MediaPipe canonical UVs): a skin tone with soft
 * multi-scale mottling, redder lips, a dark mouth interior, eyes (sclera, iris, pupil, lash line), eyebrows and a cheek
 * blush, all placed by polygons of the mesh's contours in UV space. A seed picks tone, iris and hair colours and
 * the noise, so the synthetic world has varied but plausible albedos with known ground truth.
 */
public final class ProceduralAlbedo {

    /** Skin tones (linear-ish RGB in [0, 1]) from light to dark; a seed interpolates between neighbours. */
    private static final double[][] SKIN = {
            {0.93, 0.78, 0.68}, {0.87, 0.68, 0.56}, {0.78, 0.58, 0.45}, {0.64, 0.45, 0.33}, {0.47, 0.32, 0.23}, {0.33, 0.22, 0.16}};
    private static final double[][] IRIS = {{0.30, 0.18, 0.09}, {0.20, 0.12, 0.06}, {0.25, 0.40, 0.55}, {0.30, 0.42, 0.25}, {0.42, 0.33, 0.18}};
    private static final double[][] HAIR = {{0.10, 0.07, 0.05}, {0.22, 0.14, 0.08}, {0.40, 0.28, 0.16}, {0.06, 0.05, 0.05}, {0.55, 0.42, 0.25}};

    private ProceduralAlbedo() {}

    /**
     * An albedo map [1, 3, size, size] with values in [0, 1].
     *
     * @param backend where the tensor lives
     * @param mesh    the face mesh whose contours place the features (its UVs define the layout)
     * @param size    texels per side (e.g. 256)
     * @param seed    picks colours and noise
     */
    public static Tensor generate(Backend backend, FaceMeshData mesh, int size, long seed) {
        return Tensor.of(backend, pixels(mesh, size, seed), 1, 3, size, size);
    }

    /** The albedo as host values [3 * size * size], channel-major. */
    public static double[] pixels(FaceMeshData mesh, int size, long seed) {
        if (size < 8) {
            throw new IllegalArgumentException("albedo size must be at least 8, got " + size);
        }
        SplittableRandom random = new SplittableRandom(seed);
        double tone = random.nextDouble() * (SKIN.length - 1);
        double[] skin = lerp(SKIN[(int) tone], SKIN[Math.min(SKIN.length - 1, (int) tone + 1)], tone - (int) tone);
        double warmth = 0.03 * random.nextGaussian();
        skin[0] = clamp(skin[0] + warmth);
        skin[2] = clamp(skin[2] - warmth);
        double[] iris = IRIS[random.nextInt(IRIS.length)];
        double[] hair = HAIR[random.nextInt(HAIR.length)];
        double blush = 0.04 + 0.06 * random.nextDouble();
        double lipRedness = 0.25 + 0.15 * random.nextDouble();
        ValueNoise noise = new ValueNoise(random.nextLong());

        double s = size / 256.0;                                             // feature widths scale with the map
        UvPolygon lips = UvPolygon.of(mesh, size, new int[] {61}, mesh.contour("lipsUpperOuter"), mesh.contour("lipsLowerOuter"));
        UvPolygon mouth = UvPolygon.of(mesh, size, new int[] {78}, mesh.contour("lipsUpperInner"), mesh.contour("lipsLowerInner"));
        UvPolygon[] eyes = {
                UvPolygon.of(mesh, size, new int[] {33}, mesh.contour("rightEyeUpper0"), mesh.contour("rightEyeLower0")),
                UvPolygon.of(mesh, size, new int[] {263}, mesh.contour("leftEyeUpper0"), mesh.contour("leftEyeLower0"))};
        UvPolygon[] brows = {
                UvPolygon.of(mesh, size, new int[0], mesh.contour("rightEyebrowUpper"), mesh.contour("rightEyebrowLower")),
                UvPolygon.of(mesh, size, new int[0], mesh.contour("leftEyebrowUpper"), mesh.contour("leftEyebrowLower"))};
        double[][] cheeks = {uvOf(mesh, 205, size), uvOf(mesh, 425, size)};

        double[] out = new double[3 * size * size];
        double[] c = new double[3];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double qx = x + 0.5;
                double qy = y + 0.5;
                double u = qx / size;
                double v = qy / size;
                double mottle = 0.05 * noise.at(u * 6, v * 6) + 0.03 * noise.at(u * 24, v * 24) + 0.015 * noise.at(u * 90, v * 90);
                for (int k = 0; k < 3; k++) {
                    c[k] = skin[k] * (1 + mottle);
                }
                for (double[] cheek : cheeks) {
                    double d2 = (sq(qx - cheek[0]) + sq(qy - cheek[1])) / sq(22 * s);
                    double b = blush * Math.exp(-d2);
                    c[1] -= b * skin[1];
                    c[2] -= b * skin[2];
                }
                // brows: hair colour with a fine stroke texture, soft edges
                for (UvPolygon brow : brows) {
                    // the contour polygon is generous: keep its core, thinning towards the temple
                    double taper = 1 - smoothstep(0.12, 0.24, Math.abs(u - 0.5));
                    double a = 1 - smoothstep(-3.5 * s + 2.5 * s * (1 - taper), 0.5 * s, brow.signedDistance(qx, qy));
                    if (a > 0) {
                        double strands = 0.8 + 0.4 * noise.at(u * 160, v * 40);
                        blend(c, scale(hair, strands), 0.7 * a * (0.5 + 0.5 * taper));
                    }
                }
                double lipAlpha = 1 - smoothstep(-1.5 * s, 1.5 * s, lips.signedDistance(qx, qy));
                if (lipAlpha > 0) {
                    double[] lipColour = {skin[0] * (1 - 0.2 * lipRedness), skin[1] * (1 - 1.6 * lipRedness), skin[2] * (1 - 1.3 * lipRedness)};
                    blend(c, lipColour, lipAlpha);
                }
                double mouthAlpha = 1 - smoothstep(-0.8 * s, 0.8 * s, mouth.signedDistance(qx, qy));
                if (mouthAlpha > 0) {
                    blend(c, new double[] {0.22, 0.07, 0.07}, mouthAlpha);
                }
                for (UvPolygon eye : eyes) {
                    paintEye(c, eye, qx, qy, s, iris);
                }
                int at = y * size + x;
                for (int k = 0; k < 3; k++) {
                    out[k * size * size + at] = clamp(c[k]);
                }
            }
        }
        return out;
    }

    private static void paintEye(double[] c, UvPolygon eye, double qx, double qy, double s, double[] iris) {
        double d = eye.signedDistance(qx, qy);
        // lash line and a little shadow just outside the opening
        double lash = Math.exp(-sq(Math.max(0, d) / (1.2 * s)));
        if (d > 0 && lash > 0.01) {
            blend(c, new double[] {0.08, 0.06, 0.05}, 0.6 * lash);
        }
        double inside = 1 - smoothstep(-0.7 * s, 0.7 * s, d);
        if (inside <= 0) {
            return;
        }
        double[] centre = eye.centre();
        double[] extent = eye.extent();
        double r = Math.hypot(qx - centre[0], (qy - centre[1]) * 1.0);
        double irisRadius = 0.17 * extent[0];
        double[] colour = {0.86, 0.84, 0.80};
        double irisAlpha = 1 - smoothstep(irisRadius - 0.6 * s, irisRadius + 0.6 * s, r);
        colour = lerp(colour, scale(iris, 0.8 + 0.4 * r / Math.max(1e-9, irisRadius)), irisAlpha);
        double pupilAlpha = 1 - smoothstep(0.4 * irisRadius - 0.5 * s, 0.4 * irisRadius + 0.5 * s, r);
        colour = lerp(colour, new double[] {0.03, 0.03, 0.03}, pupilAlpha);
        double highlight = Math.exp(-(sq(qx - centre[0] - 0.35 * irisRadius) + sq(qy - centre[1] + 0.35 * irisRadius)) / sq(0.25 * irisRadius + 0.3 * s));
        colour = lerp(colour, new double[] {1, 1, 1}, 0.7 * highlight);
        blend(c, colour, inside);
    }

    static double[] uvOf(FaceMeshData mesh, int vertex, int size) {
        return new double[] {mesh.uvs()[2 * vertex] * size, mesh.uvs()[2 * vertex + 1] * size};
    }

    private static void blend(double[] c, double[] colour, double alpha) {
        for (int k = 0; k < 3; k++) {
            c[k] = c[k] * (1 - alpha) + colour[k] * alpha;
        }
    }

    private static double[] lerp(double[] a, double[] b, double t) {
        return new double[] {a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t};
    }

    private static double[] scale(double[] a, double f) {
        return new double[] {a[0] * f, a[1] * f, a[2] * f};
    }

    static double smoothstep(double e0, double e1, double x) {
        double t = Math.max(0, Math.min(1, (x - e0) / (e1 - e0)));
        return t * t * (3 - 2 * t);
    }

    private static double sq(double x) {
        return x * x;
    }

    private static double clamp(double x) {
        return Math.max(0, Math.min(1, x));
    }
}
