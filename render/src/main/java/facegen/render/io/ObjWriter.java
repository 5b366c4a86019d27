package facegen.render.io;

import facegen.render.mesh.Triangles;
import facegen.render.mesh.VertexNormals;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Wavefront OBJ + MTL export of a textured triangle mesh, as Blender and MeshLab read it: {@code v x y z},
 * {@code vt u v} (OBJ's v points up, so v_obj = 1 - v), {@code vn} (unit vertex normals), {@code f a/a/a b/b/b c/c/c}
 * (1-based, positions, UVs and normals share indices), {@code mtllib} / {@code usemtl}, and a material whose
 * {@code map_Kd} is the albedo PNG next to it.
 */
public final class ObjWriter {

    private ObjWriter() {}

    /**
     * Writes {@code name.obj} and {@code name.mtl} into {@code dir}; the material refers to {@code albedoFile}
     * (a file name relative to {@code dir}, e.g. "albedo.png"), or has no texture when it is null.
     *
     * @param positions [V * 3]
     * @param uvs       [V * 2] (v down), or null for none
     * @param triangles triangles over V
     * @return the OBJ file
     * @throws IllegalArgumentException on sizes that disagree or non-finite coordinates
     */
    public static Path write(Path dir, String name, double[] positions, double[] uvs, Triangles triangles, String albedoFile)
            throws IOException {
        int v = triangles.vertexCount();
        if (positions.length != 3 * v || (uvs != null && uvs.length != 2 * v)) {
            throw new IllegalArgumentException("OBJ export: " + positions.length / 3 + " positions and "
                    + (uvs == null ? 0 : uvs.length / 2) + " UVs for " + v + " vertices");
        }
        for (int i = 0; i < positions.length; i++) {
            if (!Double.isFinite(positions[i])) {
                throw new IllegalArgumentException("OBJ export: vertex " + i / 3 + " has a non-finite coordinate " + positions[i]);
            }
        }
        Files.createDirectories(dir);
        double[] normals = VertexNormals.of(positions, triangles);
        Path obj = dir.resolve(name + ".obj");
        Path mtl = dir.resolve(name + ".mtl");
        try (BufferedWriter w = Files.newBufferedWriter(obj, StandardCharsets.UTF_8)) {
            w.write("# facegen mesh: " + v + " vertices, " + triangles.count() + " triangles\n");
            w.write("mtllib " + mtl.getFileName() + "\n");
            w.write("o " + name + "\n");
            for (int i = 0; i < v; i++) {
                w.write(String.format(Locale.ROOT, "v %.7g %.7g %.7g%n", positions[3 * i], positions[3 * i + 1], positions[3 * i + 2]));
            }
            if (uvs != null) {
                for (int i = 0; i < v; i++) {
                    w.write(String.format(Locale.ROOT, "vt %.7g %.7g%n", uvs[2 * i], 1 - uvs[2 * i + 1]));
                }
            }
            for (int i = 0; i < v; i++) {
                w.write(String.format(Locale.ROOT, "vn %.6f %.6f %.6f%n", normals[3 * i], normals[3 * i + 1], normals[3 * i + 2]));
            }
            w.write("usemtl face\n");
            w.write("s 1\n");
            for (int t = 0; t < triangles.count(); t++) {
                w.write("f");
                for (int k = 0; k < 3; k++) {
                    int i = triangles.corner(t, k) + 1;
                    w.write(uvs != null ? " " + i + "/" + i + "/" + i : " " + i + "//" + i);
                }
                w.write("\n");
            }
        }
        try (BufferedWriter w = Files.newBufferedWriter(mtl, StandardCharsets.UTF_8)) {
            w.write("newmtl face\n");
            w.write("Ka 0 0 0\nKd 1 1 1\nKs 0.05 0.05 0.05\nNs 10\nd 1\nillum 2\n");
            if (albedoFile != null) {
                w.write("map_Kd " + albedoFile + "\n");
            }
        }
        return obj;
    }
}
