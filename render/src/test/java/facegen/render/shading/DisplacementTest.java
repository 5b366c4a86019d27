package facegen.render.shading;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.engine.tensor.Tensor;
import facegen.render.GradientCheck;
import facegen.render.head.FaceMeshData;
import facegen.render.mesh.VertexNormals;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class DisplacementTest {
    private static Backend reference;
    private static FaceMeshData mesh;

    @BeforeAll
    static void open() {
        reference = Backends.create("reference");
        mesh = FaceMeshData.load();
    }

    @AfterAll
    static void close() {
        reference.close();
    }

    private static Tensor vertices() {
        return Tensor.of(reference, mesh.positions(), 1, 468, 3).mul(0.01);
    }

    @Test
    void constantDisplacementMovesEveryVertexAlongItsNormal() {
        Tensor v = vertices();
        Tensor n = VertexNormals.of(v, mesh.triangles());
        Tensor d = Tensor.full(reference, 0.002, 1, 1, 8, 8);
        double[] moved = Displacement.detailVertices(v, n, d, Tensor.of(reference, mesh.uvs(), 468, 2)).toArray();
        double[] base = v.toArray();
        double[] normals = n.toArray();
        for (int i = 0; i < base.length; i++) {
            assertThat(moved[i]).isCloseTo(base[i] + 0.002 * normals[i], within(1e-15));
        }
    }

    @Test
    void zeroDisplacementKeepsTheCoarseNormalsAndBumpsTiltThem() {
        UvMapper mapper = new UvMapper(mesh.triangles(), mesh.uvs(), 64);
        Tensor v = vertices();
        Tensor positions = mapper.toUv(v);
        Tensor normals = Displacement.normalize(mapper.toUv(VertexNormals.of(v, mesh.triangles())));
        Tensor interior = mapper.interiorMask(reference);
        double[] flat = Displacement.detailNormals(positions, normals, Tensor.zeros(reference, 1, 1, 64, 64), interior).toArray();
        double[] coarse = normals.toArray();
        for (int i = 0; i < flat.length; i++) {
            assertThat(flat[i]).isCloseTo(coarse[i], within(1e-9));
        }
        // a ramp in u tilts normals towards -u (the face's right, -x) where it rises
        double[] ramp = new double[64 * 64];
        for (int i = 0; i < ramp.length; i++) {
            ramp[i] = 0.0005 * (i % 64);
        }
        double[] tilted = Displacement.detailNormals(positions, normals, Tensor.of(reference, ramp, 1, 1, 64, 64), interior).toArray();
        int centre = 32 * 64 + 32;                                              // near the nose bridge, normal ~ +z
        assertThat(tilted[centre]).isLessThan(coarse[centre] - 0.05);
    }

    @Test
    void gradientsWithRespectToDisplacementAndVerticesMatchCentralDifferences() {
        double[] d = Tensor.uniform(reference, 9, 0.0, 0.001, 1, 1, 4, 4).toArray();
        double err = GradientCheck.relativeError(reference, in -> {
            Tensor n = VertexNormals.of(in.get(0), mesh.triangles());
            return Displacement.detailVertices(in.get(0), n, in.get(1), Tensor.of(reference, mesh.uvs(), 468, 2));
        }, List.of(vertices().toArray(), d), List.of(new int[] {1, 468, 3}, new int[] {1, 1, 4, 4}), 1e-7);
        assertThat(err).isLessThan(1e-6);
    }
}
