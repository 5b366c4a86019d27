package facegen.render.mesh;

import facegen.render.TestMeshes;
import facegen.render.head.FaceMeshData;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SubdivisionTest {

    @Test
    void closedMeshStaysClosedAndGrowsByFour() {
        TestMeshes.Mesh s = TestMeshes.sphere(1);
        Subdivision sub = Subdivision.loop(s.positions(), new double[2 * s.triangles().vertexCount()], s.triangles());
        assertThat(sub.triangles().count()).isEqualTo(4 * s.triangles().count());
        assertThat(EdgeTopology.of(sub.triangles()).boundaryEdgeCount()).isZero();
        // V - E + F = 2 for a sphere
        int v = sub.triangles().vertexCount();
        int e = 3 * sub.triangles().count() / 2;
        assertThat(v - e + sub.triangles().count()).isEqualTo(2);
    }

    @Test
    void faceMeshKeepsItsVertexIndicesAndUvLayout() {
        FaceMeshData mesh = FaceMeshData.load();
        Subdivision sub = Subdivision.loop(mesh.positions(), mesh.uvs(), mesh.triangles());
        int v = mesh.triangles().vertexCount();
        for (int i = 0; i < v; i++) {
            assertThat(sub.uvs()[2 * i]).isEqualTo(mesh.uvs()[2 * i]);
            // Loop smoothing moves old vertices a little (mm-scale for a cm-scale mesh)
            for (int c = 0; c < 3; c++) {
                assertThat(sub.positions()[3 * i + c]).isCloseTo(mesh.positions()[3 * i + c], within(0.6));
            }
        }
        double[] carried = sub.carry(mesh.uvs(), 2);
        assertThat(carried).containsExactly(sub.uvs());
        assertThat(EdgeTopology.of(sub.triangles()).boundaryEdgeCount()).isEqualTo(2 * EdgeTopology.of(mesh.triangles()).boundaryEdgeCount());
    }
}
