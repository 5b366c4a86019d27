package facegen.render.texture;

import facegen.render.head.FaceMeshData;

import java.util.ArrayList;
import java.util.List;

/**
 * A closed polygon in texel coordinates of an S x S UV map, built from mesh contours, with a signed distance
 * (negative inside) for soft-edged region masks.
 */
final class UvPolygon {
    private final double[] x;
    private final double[] y;

    private UvPolygon(double[] x, double[] y) {
        this.x = x;
        this.y = y;
    }

    /**
     * The loop start, then {@code forward} contour, then {@code backward} contour reversed, of mesh vertices, in texel
     * units of a {@code size}-texel map (texel centres at integer + 0.5).
     */
    static UvPolygon of(FaceMeshData mesh, int size, int[] start, int[] forward, int[] backward) {
        List<Integer> loop = new ArrayList<>();
        for (int i : start) {
            loop.add(i);
        }
        for (int i : forward) {
            loop.add(i);
        }
        for (int k = backward.length - 1; k >= 0; k--) {
            if (!loop.contains(backward[k])) {
                loop.add(backward[k]);
            }
        }
        double[] px = new double[loop.size()];
        double[] py = new double[loop.size()];
        double[] uv = mesh.uvs();
        for (int k = 0; k < loop.size(); k++) {
            px[k] = uv[2 * loop.get(k)] * size;
            py[k] = uv[2 * loop.get(k) + 1] * size;
        }
        return new UvPolygon(px, py);
    }

    /** Signed distance from (qx, qy) to the polygon's boundary: negative inside (even-odd rule). */
    double signedDistance(double qx, double qy) {
        double best = Double.POSITIVE_INFINITY;
        boolean inside = false;
        int n = x.length;
        for (int i = 0, j = n - 1; i < n; j = i++) {
            double ax = x[j], ay = y[j], bx = x[i], by = y[i];
            double ex = bx - ax, ey = by - ay;
            double t = Math.max(0, Math.min(1, ((qx - ax) * ex + (qy - ay) * ey) / Math.max(1e-12, ex * ex + ey * ey)));
            double dx = qx - (ax + t * ex);
            double dy = qy - (ay + t * ey);
            best = Math.min(best, dx * dx + dy * dy);
            if ((ay > qy) != (by > qy) && qx < ax + (qy - ay) * ex / ey) {
                inside = !inside;
            }
        }
        double d = Math.sqrt(best);
        return inside ? -d : d;
    }

    /** The centroid of the vertices (texels). */
    double[] centre() {
        double cx = 0;
        double cy = 0;
        for (int i = 0; i < x.length; i++) {
            cx += x[i];
            cy += y[i];
        }
        return new double[] {cx / x.length, cy / y.length};
    }

    /** Width and height of the bounding box (texels). */
    double[] extent() {
        double minX = Double.POSITIVE_INFINITY, maxX = Double.NEGATIVE_INFINITY;
        double minY = Double.POSITIVE_INFINITY, maxY = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < x.length; i++) {
            minX = Math.min(minX, x[i]);
            maxX = Math.max(maxX, x[i]);
            minY = Math.min(minY, y[i]);
            maxY = Math.max(maxY, y[i]);
        }
        return new double[] {maxX - minX, maxY - minY};
    }
}
