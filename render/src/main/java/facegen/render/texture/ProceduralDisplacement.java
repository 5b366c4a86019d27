package facegen.render.texture;

import facegen.engine.backend.Backend;
import facegen.engine.tensor.Tensor;
import facegen.render.head.FaceMeshData;

import java.util.SplittableRandom;

/**
 * Procedural UV displacement maps (metres, along the outward normal) for the default head's layout: horizontal
 * forehead lines, crow's feet at the outer eye corners, nasolabial folds from the nostril wings to the mouth
 * corners, and fine pore noise. A seed sets their depth (an "age") and the noise; the result is the kind of detail
 * map DECA's detail decoder predicts.
 */
public final class ProceduralDisplacement {

    private ProceduralDisplacement() {}

    /**
     * A displacement map [1, 1, size, size] in metres (grooves are negative).
     *
     * @param mesh the face mesh whose landmarks place the features
     * @param size texels per side
     * @param seed picks depths and noise
     */
    public static Tensor generate(Backend backend, FaceMeshData mesh, int size, long seed) {
        return Tensor.of(backend, values(mesh, size, seed), 1, 1, size, size);
    }

    /** The map as host values [size * size]. */
    public static double[] values(FaceMeshData mesh, int size, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double age = 0.4 + 0.6 * random.nextDouble();
        double forehead = 0.0005 * age;
        double crow = 0.0004 * age;
        double fold = 0.0007 * age;
        double pores = 0.00004;
        ValueNoise noise = new ValueNoise(random.nextLong());
        double[] browTop = ProceduralAlbedo.uvOf(mesh, 105, 1);
        double[] top = ProceduralAlbedo.uvOf(mesh, 10, 1);
        double[][] eyeCorners = {ProceduralAlbedo.uvOf(mesh, 33, 1), ProceduralAlbedo.uvOf(mesh, 263, 1)};
        double[][] wings = {ProceduralAlbedo.uvOf(mesh, 129, 1), ProceduralAlbedo.uvOf(mesh, 358, 1)};
        double[][] corners = {ProceduralAlbedo.uvOf(mesh, 61, 1), ProceduralAlbedo.uvOf(mesh, 291, 1)};
        double[] out = new double[size * size];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double u = (x + 0.5) / size;
                double v = (y + 0.5) / size;
                double d = pores * noise.at(u * 180, v * 180);
                // forehead: lines across, between the brows and the hairline, fading at the sides
                double band = smooth(top[1] + 0.02, top[1] + 0.05, v) * (1 - smooth(browTop[1] - 0.05, browTop[1] - 0.015, v))
                        * Math.exp(-sq((u - 0.5) / 0.16));
                double wobble = 0.004 * noise.at(u * 8, 3.7);
                d -= forehead * band * Math.pow(0.5 + 0.5 * Math.cos(2 * Math.PI * (v + wobble) / 0.022), 4);
                for (double[] c : eyeCorners) {
                    double dx = u - c[0];
                    double dy = v - c[1];
                    double r = Math.hypot(dx, dy);
                    double outward = Math.signum(c[0] - 0.5) * dx > 0 ? 1 : 0;
                    double angle = Math.atan2(dy, Math.abs(dx));
                    d -= crow * outward * smooth(0.01, 0.02, r) * Math.exp(-sq(r / 0.045))
                            * Math.pow(0.5 + 0.5 * Math.cos(angle * 9), 6);
                }
                for (int s = 0; s < 2; s++) {
                    double dist = segmentDistance(u, v, wings[s][0] + (s == 0 ? -0.015 : 0.015), wings[s][1],
                            corners[s][0] + (s == 0 ? -0.02 : 0.02), corners[s][1] + 0.01);
                    d -= fold * Math.exp(-sq(dist / 0.011));
                }
                out[y * size + x] = d;
            }
        }
        return out;
    }

    private static double segmentDistance(double px, double py, double ax, double ay, double bx, double by) {
        double ex = bx - ax;
        double ey = by - ay;
        double t = Math.max(0, Math.min(1, ((px - ax) * ex + (py - ay) * ey) / (ex * ex + ey * ey)));
        return Math.hypot(px - ax - t * ex, py - ay - t * ey);
    }

    private static double smooth(double e0, double e1, double x) {
        return ProceduralAlbedo.smoothstep(e0, e1, x);
    }

    private static double sq(double x) {
        return x * x;
    }
}
