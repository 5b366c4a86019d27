package facegen.render.bench;

import java.util.Locale;

/**
 * One line of the render benchmark: the four raster stages on one mesh and image size, median wall times.
 *
 * @param mesh        what was rendered ("head" = the procedural head subdivided twice)
 * @param triangles   its triangle count
 * @param resolution  image side in pixels (square images)
 * @param backend     the engine backend
 * @param covered     pixels covered by the mesh
 * @param rasterizeMs median of rasterize alone (host)
 * @param forwardMs   median of rasterize + interpolate (UV) + texture + antialias
 * @param totalMs     median of the forward pass plus the backward pass to vertex positions and texture
 * @param mtrisPerSec triangles / totalMs, in millions per second
 */
public record RenderBenchRow(String mesh, int triangles, int resolution, String backend, int covered, double rasterizeMs,
                             double forwardMs, double totalMs, double mtrisPerSec) {

    /** The column names of {@link #tsv()}. */
    public static String header() {
        return "mesh\ttriangles\tresolution\tbackend\tcovered_px\trasterize_ms\tfwd_ms\tfwd_bwd_ms\tmtri_per_s";
    }

    /** The row as tab-separated values. */
    public String tsv() {
        return String.format(Locale.ROOT, "%s\t%d\t%d\t%s\t%d\t%.2f\t%.2f\t%.2f\t%.2f", mesh, triangles, resolution, backend,
                covered, rasterizeMs, forwardMs, totalMs, mtrisPerSec);
    }
}
