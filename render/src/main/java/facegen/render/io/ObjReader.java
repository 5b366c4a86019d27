package facegen.render.io;

import facegen.render.mesh.Triangles;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads user meshes from Wavefront OBJ: {@code v}, {@code vt}, {@code f} with {@code v}, {@code v/vt},
 * {@code v/vt/vn} or {@code v//vn} corners (1-based or negative relative indices), polygons fan-triangulated; other
 * records (vn, o, g, s, usemtl, mtllib, comments) are skipped. Vertex i is position i; a position used with a second,
 * different UV (a UV seam) gets a copy appended after the positions. Unused positions stay (with UV 0). Malformed input fails with an {@link IOException} naming the file, line and problem.
 */
public final class ObjReader {

    private ObjReader() {}

    /**
     * A mesh read from OBJ.
     *
     * @param positions [V * 3]
     * @param uvs       [V * 2] with v down, or null when the file has no UVs
     * @param triangles triangles over V
     */
    public record Mesh(double[] positions, double[] uvs, Triangles triangles) {}

    /** Reads {@code file}. */
    public static Mesh read(Path file) throws IOException {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(r, file.toString());
        }
    }

    /** Parses OBJ text; {@code source} names it in messages. */
    public static Mesh parse(BufferedReader r, String source) throws IOException {
        List<double[]> v = new ArrayList<>();
        List<double[]> vt = new ArrayList<>();
        List<int[]> corners = new ArrayList<>();                            // {position, uv or -1} per corner
        List<Integer> faces = new ArrayList<>();                              // 3 corners each
        String line;
        int lineNo = 0;
        while ((line = r.readLine()) != null) {
            lineNo++;
            String s = line.strip();
            if (s.isEmpty() || s.startsWith("#")) {
                continue;
            }
            String[] f = s.split("\\s+");
            String where = source + ":" + lineNo;
            switch (f[0]) {
                case "v" -> v.add(numbers(f, 3, where, "v"));
                case "vt" -> {
                    double[] t = numbers(f, 2, where, "vt");
                    vt.add(new double[] {t[0], 1 - t[1]});
                }
                case "f" -> {
                    if (f.length < 4) {
                        throw new IOException(where + ": a face needs at least 3 corners, got " + (f.length - 1));
                    }
                    int[][] polygon = new int[f.length - 1][];
                    for (int k = 1; k < f.length; k++) {
                        polygon[k - 1] = corner(f[k], v.size(), vt.size(), where);
                    }
                    for (int k = 1; k + 1 < polygon.length; k++) {              // fan triangulation
                        corners.add(polygon[0]);
                        corners.add(polygon[k]);
                        corners.add(polygon[k + 1]);
                    }
                }
                case "vn", "vp", "o", "g", "s", "usemtl", "mtllib", "l", "p" -> { }
                default -> throw new IOException(where + ": unknown OBJ record '" + f[0] + "'");
            }
        }
        if (corners.isEmpty()) {
            throw new IOException(source + ": no faces");
        }
        boolean withUv = corners.stream().allMatch(c -> c[1] >= 0);
        if (!withUv && corners.stream().anyMatch(c -> c[1] >= 0)) {
            throw new IOException(source + ": some faces have texture coordinates and some do not");
        }
        // vertex i is position i with the first UV it is used with; each further (position, uv) pair (a seam) is
        // appended as a new vertex after the positions
        int[] firstUv = new int[v.size()];
        java.util.Arrays.fill(firstUv, -1);
        Map<Long, Integer> extra = new HashMap<>();
        List<int[]> appended = new ArrayList<>();
        int[] tri = new int[corners.size()];
        for (int i = 0; i < tri.length; i++) {
            int[] c = corners.get(i);
            if (!withUv || firstUv[c[0]] < 0 || firstUv[c[0]] == c[1]) {
                if (withUv) {
                    firstUv[c[0]] = c[1];
                }
                tri[i] = c[0];
            } else {
                long key = ((long) c[0] << 32) | c[1];
                Integer at = extra.get(key);
                if (at == null) {
                    at = v.size() + appended.size();
                    extra.put(key, at);
                    appended.add(c);
                }
                tri[i] = at;
            }
        }
        int count = v.size() + appended.size();
        double[] positions = new double[3 * count];
        double[] uvs = withUv ? new double[2 * count] : null;
        for (int i = 0; i < count; i++) {
            int p = i < v.size() ? i : appended.get(i - v.size())[0];
            int t = i < v.size() ? firstUv[i] : appended.get(i - v.size())[1];
            System.arraycopy(v.get(p), 0, positions, 3 * i, 3);
            if (withUv && t >= 0) {
                System.arraycopy(vt.get(t), 0, uvs, 2 * i, 2);
            }
        }
        return new Mesh(positions, uvs, new Triangles(tri, count));
    }

    private static double[] numbers(String[] f, int count, String where, String what) throws IOException {
        if (f.length < count + 1) {
            throw new IOException(where + ": '" + what + "' needs " + count + " numbers, got " + (f.length - 1));
        }
        double[] out = new double[count];
        for (int i = 0; i < count; i++) {
            try {
                out[i] = Double.parseDouble(f[i + 1]);
            } catch (NumberFormatException e) {
                throw new IOException(where + ": '" + f[i + 1] + "' is not a number in '" + what + "'");
            }
            if (!Double.isFinite(out[i])) {
                throw new IOException(where + ": '" + what + "' has a non-finite value " + f[i + 1]);
            }
        }
        return out;
    }

    /** {position, uv} (0-based; uv -1 when absent) of one face corner "v", "v/vt", "v/vt/vn" or "v//vn". */
    private static int[] corner(String token, int positions, int uvs, String where) throws IOException {
        String[] parts = token.split("/", -1);
        if (parts.length > 3 || parts[0].isEmpty()) {
            throw new IOException(where + ": malformed face corner '" + token + "'");
        }
        int p = resolve(parts[0], positions, where, "vertex");
        int t = parts.length >= 2 && !parts[1].isEmpty() ? resolve(parts[1], uvs, where, "texture coordinate") : -1;
        return new int[] {p, t};
    }

    private static int resolve(String token, int count, String where, String what) throws IOException {
        int i;
        try {
            i = Integer.parseInt(token);
        } catch (NumberFormatException e) {
            throw new IOException(where + ": '" + token + "' is not a " + what + " index");
        }
        int resolved = i > 0 ? i - 1 : count + i;
        if (i == 0 || resolved < 0 || resolved >= count) {
            throw new IOException(where + ": " + what + " index " + i + " is out of range (" + count + " defined so far)");
        }
        return resolved;
    }
}
