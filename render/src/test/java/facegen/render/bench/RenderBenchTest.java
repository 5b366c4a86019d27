package facegen.render.bench;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RenderBenchTest {
    @Test
    void producesOneTimedRowPerResolution() {
        try (Backend backend = Backends.create("cpu")) {
            List<RenderBenchRow> rows = RenderBench.run(backend, new PrintStream(new ByteArrayOutputStream()), new int[] {32, 48}, 0, 1, 2, 0);
            assertThat(rows).hasSize(2);
            assertThat(rows.get(0).triangles()).isEqualTo(898);
            assertThat(rows.get(1).resolution()).isEqualTo(48);
            for (RenderBenchRow r : rows) {
                assertThat(r.covered()).isPositive();
                assertThat(r.totalMs()).isGreaterThanOrEqualTo(r.forwardMs()).isGreaterThanOrEqualTo(r.rasterizeMs());
                assertThat(r.tsv().split("\t")).hasSize(RenderBenchRow.header().split("\t").length);
            }
        }
    }
}
