package facegen.render.head;

import facegen.render.mesh.Triangles;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The MediaPipe canonical face mesh as shipped in {@code test-data/mediapipe-face-mesh/face_mesh.txt} (see its
 * README for source, checksums and licences): 468 vertices in centimetres (x to the face's left, y up, z out of the
 * face), per-vertex UVs (v down), 898 triangles counter-clockwise seen from the front, the 68 iBUG landmark vertex
 * indices, and named contours (lips, eyes, brows, silhouette).
 *
 * @param positions  [V * 3] in centimetres
 * @param uvs        [V * 2]
 * @param triangles  the triangles
 * @param landmarks  68 vertex indices in iBUG order
 * @param contours   named vertex-index lists (lipsUpperOuter, rightEyeUpper0, leftEyebrowUpper, silhouette, ...)
 */
public record FaceMeshData(double[] positions, double[] uvs, Triangles triangles, int[] landmarks,
                           Map<String, int[]> contours) {

    /** Resource path of the shipped mesh. */
    public static final String RESOURCE = "/facegen/render/head/face_mesh.txt";

    /** Validates the sizes. */
    public FaceMeshData {
        int v = triangles.vertexCount();
        if (positions.length != 3 * v || uvs.length != 2 * v || landmarks.length != 68) {
            throw new IllegalArgumentException("face mesh: " + positions.length / 3 + " positions, " + uvs.length / 2
                    + " UVs, " + landmarks.length + " landmarks for " + v + " vertices");
        }
        contours = Collections.unmodifiableMap(new LinkedHashMap<>(contours));
    }

    /** The shipped canonical mesh. */
    public static FaceMeshData load() {
        try (InputStream in = FaceMeshData.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCE + " is missing from the class path (render/pom.xml copies it"
                        + " from test-data/mediapipe-face-mesh)");
            }
            return parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A named contour; throws naming the known ones when absent. */
    public int[] contour(String name) {
        int[] c = contours.get(name);
        if (c == null) {
            throw new IllegalArgumentException("no contour '" + name + "'; known: " + contours.keySet());
        }
        return c;
    }

    static FaceMeshData parse(InputStream in) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        double[] positions = null;
        double[] uvs = null;
        int[] tri = null;
        int[] landmarks = null;
        Map<String, int[]> contours = new LinkedHashMap<>();
        String line;
        int lineNo = 0;
        while ((line = r.readLine()) != null) {
            lineNo++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.trim().split("\\s+");
            switch (f[0]) {
                case "vertices" -> {
                    int n = Integer.parseInt(f[1]);
                    positions = new double[3 * n];
                    uvs = new double[2 * n];
                    for (int i = 0; i < n; i++) {
                        String[] v = r.readLine().trim().split("\\s+");
                        lineNo++;
                        for (int k = 0; k < 3; k++) {
                            positions[3 * i + k] = Double.parseDouble(v[k]);
                        }
                        uvs[2 * i] = Double.parseDouble(v[3]);
                        uvs[2 * i + 1] = Double.parseDouble(v[4]);
                    }
                }
                case "triangles" -> {
                    int n = Integer.parseInt(f[1]);
                    tri = new int[3 * n];
                    for (int i = 0; i < n; i++) {
                        String[] t = r.readLine().trim().split("\\s+");
                        lineNo++;
                        for (int k = 0; k < 3; k++) {
                            tri[3 * i + k] = Integer.parseInt(t[k]);
                        }
                    }
                }
                case "landmarks68" -> landmarks = ints(f, 1);
                case "contour" -> contours.put(f[1], ints(f, 2));
                default -> throw new IOException("face mesh line " + lineNo + ": unknown record '" + f[0] + "'");
            }
        }
        if (positions == null || tri == null || landmarks == null) {
            throw new IOException("face mesh: missing vertices, triangles or landmarks68");
        }
        return new FaceMeshData(positions, uvs, new Triangles(tri, positions.length / 3), landmarks, contours);
    }

    private static int[] ints(String[] fields, int from) {
        List<Integer> out = new ArrayList<>();
        for (int i = from; i < fields.length; i++) {
            out.add(Integer.parseInt(fields[i]));
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
