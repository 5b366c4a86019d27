package facegen.render.io;

import de.javagl.obj.Mtl;
import de.javagl.obj.MtlReader;
import de.javagl.obj.Obj;
import de.javagl.obj.ObjFace;
import facegen.render.head.FaceMeshData;
import facegen.render.mesh.Triangles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ObjExportTest {
    @TempDir
    Path dir;

    @Test
    void exportedFaceParsesWithAnIndependentObjReader() throws IOException {
        FaceMeshData mesh = FaceMeshData.load();
        Path file = ObjWriter.write(dir, "face", mesh.positions(), mesh.uvs(), mesh.triangles(), "albedo.png");
        Obj obj;
        try (InputStream in = Files.newInputStream(file)) {
            obj = de.javagl.obj.ObjReader.read(in);
        }
        assertThat(obj.getNumVertices()).isEqualTo(468);
        assertThat(obj.getNumTexCoords()).isEqualTo(468);
        assertThat(obj.getNumNormals()).isEqualTo(468);
        assertThat(obj.getNumFaces()).isEqualTo(898);
        assertThat(obj.getMtlFileNames()).containsExactly("face.mtl");
        for (int f = 0; f < obj.getNumFaces(); f++) {
            ObjFace face = obj.getFace(f);
            assertThat(face.getNumVertices()).isEqualTo(3);
            for (int k = 0; k < 3; k++) {
                assertThat(face.getVertexIndex(k)).isEqualTo(mesh.triangles().corner(f, k));
                assertThat(face.getTexCoordIndex(k)).isEqualTo(mesh.triangles().corner(f, k));
            }
        }
        assertThat(obj.getVertex(1).getZ()).isCloseTo((float) mesh.positions()[5], within(1e-5f));
        assertThat(obj.getTexCoord(10).getY()).isCloseTo((float) (1 - mesh.uvs()[21]), within(1e-6f));
        List<Mtl> mtls;
        try (InputStream in = Files.newInputStream(dir.resolve("face.mtl"))) {
            mtls = MtlReader.read(in);
        }
        assertThat(mtls).hasSize(1);
        assertThat(mtls.get(0).getMapKd()).isEqualTo("albedo.png");
        // and our own reader gives back the same mesh
        ObjReader.Mesh back = ObjReader.read(file);
        assertThat(back.triangles()).isEqualTo(mesh.triangles());
        assertThat(back.uvs()).containsExactly(mesh.uvs(), within(1e-6));
    }

    @Test
    void nonFiniteVerticesAreNotExported() {
        Triangles tri = Triangles.of(new int[][] {{0, 1, 2}}, 3);
        assertThatThrownBy(() -> ObjWriter.write(dir, "bad", new double[] {0, 0, 0, 1, 0, 0, 0, Double.NaN, 0}, null, tri, null))
                .hasMessageContaining("vertex 2");
    }

    private static ObjReader.Mesh parse(String text) throws IOException {
        return ObjReader.parse(new BufferedReader(new StringReader(text)), "test.obj");
    }

    @Test
    void malformedObjFilesFailWithTheLineAndProblem() {
        assertThatThrownBy(() -> parse("v 0 0 0\nv 1 0 zero\n")).isInstanceOf(IOException.class)
                .hasMessageContaining("test.obj:2").hasMessageContaining("'zero' is not a number");
        assertThatThrownBy(() -> parse("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 4\n")).hasMessageContaining("test.obj:4")
                .hasMessageContaining("vertex index 4 is out of range");
        assertThatThrownBy(() -> parse("v 0 0 0\nv 1 0 0\nf 1 2\n")).hasMessageContaining("at least 3 corners");
        assertThatThrownBy(() -> parse("v 0 0\n")).hasMessageContaining("'v' needs 3 numbers");
        assertThatThrownBy(() -> parse("v 0 0 0\nbogus 1\n")).hasMessageContaining("unknown OBJ record 'bogus'");
        assertThatThrownBy(() -> parse("v 0 0 0\nv 1 0 0\nv 0 1 0\n")).hasMessageContaining("no faces");
        assertThatThrownBy(() -> parse("v 0 0 NaN\nv 1 0 0\nv 0 1 0\nf 1 2 3\n")).hasMessageContaining("non-finite");
        assertThatThrownBy(() -> parse("v 0 0 0\nv 1 0 0\nv 0 1 0\nvt 0 0\nf 1/1 2/1 3/1\nf 1 2 3\n"))
                .hasMessageContaining("some faces have texture coordinates");
    }

    @Test
    void quadsAreFanTriangulatedAndSeamsSplitVertices() throws IOException {
        ObjReader.Mesh quad = parse("v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nf -4 -3 -2 -1\n");
        assertThat(quad.triangles().count()).isEqualTo(2);
        ObjReader.Mesh seam = parse("v 0 0 0\nv 1 0 0\nv 0 1 0\nv 1 1 0\nvt 0 0\nvt 1 0\nvt 0 1\nvt 1 1\nvt 0.5 0.5\n"
                + "f 1/1 2/2 3/3\nf 2/5 4/4 3/3\n");
        assertThat(seam.triangles().vertexCount()).isEqualTo(5);               // vertex 2 has two UVs
        assertThat(seam.uvs()[1]).isCloseTo(1.0, within(1e-12));                // v flipped to image rows
    }
}
