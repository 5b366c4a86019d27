package facegen.demo;

/** A procedural, face-like test picture (skin ellipse, eyes, brows, nose shadow, mouth) with sharp edges. */
final class FaceSketch {
    private FaceSketch() {}

    /** Planar RGB values in [0, 1], shape [3, size, size]. */
    static double[] rgb(int size) {
        double[] img = new double[3 * size * size];
        double[] background = {0.20, 0.32, 0.45};
        double[] skin = {0.86, 0.67, 0.55};
        double[] dark = {0.15, 0.10, 0.08};
        double[] lips = {0.70, 0.30, 0.30};
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < size; j++) {
                double u = (j + 0.5) / size * 2 - 1;
                double v = (i + 0.5) / size * 2 - 1;
                double[] c = background;
                if (sq(u / 0.62) + sq((v + 0.02) / 0.82) < 1) {
                    c = skin;
                    double shade = 0.85 + 0.15 * (1 - u * u);
                    c = new double[] {c[0] * shade, c[1] * shade, c[2] * shade};
                }
                for (double side : new double[] {-1, 1}) {
                    if (sq((u - side * 0.26) / 0.12) + sq((v + 0.18) / 0.07) < 1) {
                        c = dark;
                    }
                    if (Math.abs(v + 0.33 + 0.03 * sq((u - side * 0.26) / 0.15)) < 0.025 && Math.abs(u - side * 0.26) < 0.16) {
                        c = dark;
                    }
                }
                if (Math.abs(u) < 0.05 && v > -0.1 && v < 0.22) {
                    c = new double[] {c[0] * 0.8, c[1] * 0.8, c[2] * 0.8};
                }
                if (sq(u / 0.24) + sq((v - 0.42) / 0.06) < 1) {
                    c = lips;
                }
                for (int ch = 0; ch < 3; ch++) {
                    img[ch * size * size + i * size + j] = c[ch];
                }
            }
        }
        return img;
    }

    private static double sq(double a) {
        return a * a;
    }
}
