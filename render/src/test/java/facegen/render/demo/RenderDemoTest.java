package facegen.render.demo;

import de.javagl.obj.Obj;
import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.render.io.Images;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class RenderDemoTest {
    @TempDir
    Path out;

    @Test
    void writesThreeRendersTheTexturedMeshAndASixteenBitDisplacementMap() throws IOException {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Backend backend = Backends.create("cpu")) {
            RenderDemo.run(backend, 7, out, new PrintStream(log, true, StandardCharsets.UTF_8), 96, 64);
        }
        for (String name : new String[] {"render_front.png", "render_yaw+45.png", "render_yaw-45.png", "albedo.png",
                "displacement.png", "face.obj", "face.mtl", "face_coarse.obj", "face_coarse.mtl"}) {
            assertThat(out.resolve(name)).exists();
            assertThat(log.toString(StandardCharsets.UTF_8)).contains(out.resolve(name).toAbsolutePath().toString());
        }
        int[] shape = new int[4];
        double[] front = Images.readSamples(out.resolve("render_front.png"), shape);
        assertThat(shape).containsExactly(1, 3, 96, 96);
        double centre = front[48 * 96 + 48];
        double corner = front[0];
        assertThat(centre).isNotEqualTo(corner);                                 // a face in front of the background
        Images.readSamples(out.resolve("displacement.png"), shape);
        assertThat(shape).containsExactly(1, 1, 64, 64);
        Obj obj;
        try (InputStream in = Files.newInputStream(out.resolve("face.obj"))) {
            obj = de.javagl.obj.ObjReader.read(in);
        }
        assertThat(obj.getNumFaces()).isEqualTo(16 * 3592);                      // the head subdivided twice more
        assertThat(obj.getNumTexCoords()).isEqualTo(obj.getNumVertices());
    }
}
