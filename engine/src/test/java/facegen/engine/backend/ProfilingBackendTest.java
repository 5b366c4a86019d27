package facegen.engine.backend;

import facegen.engine.tensor.Tensor;
import facegen.engine.tensor.TensorScope;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class ProfilingBackendTest {

    @Test
    void countsEveryPrimitiveAndLeavesResultsAsTheDelegateGives() {
        try (Backend plain = Backends.create("reference");
             ProfilingBackend profiled = new ProfilingBackend(Backends.create("reference"), false);
             TensorScope _ = TensorScope.open()) {
            double[] values = {1, -2, 3, 0.5, 4, -1};
            double[] want = Tensor.of(plain, values, 2, 3).mul(Tensor.of(plain, values, 2, 3)).sum(1).toArray();
            double[] got = Tensor.of(profiled, values, 2, 3).mul(Tensor.of(profiled, values, 2, 3)).sum(1).toArray();
            assertThat(got).containsExactly(want);

            Map<String, ProfilingBackend.Entry> byName = profiled.entries().stream()
                    .collect(Collectors.toMap(ProfilingBackend.Entry::name, e -> e));
            assertThat(byName.get("upload").calls()).isEqualTo(2);
            assertThat(byName.get("mul").calls()).isEqualTo(1);
            assertThat(byName.get("mul").elements()).isEqualTo(6);
            assertThat(byName.get("sum").elements()).isEqualTo(2);
            assertThat(byName.get("download").calls()).isEqualTo(1);
            assertThat(profiled.table(1)).contains("mul").contains("sum").contains("upload");

            profiled.reset();
            assertThat(profiled.entries()).isEmpty();
            assertThat(List.of(profiled.name(), profiled.dtype())).containsExactly(plain.name(), plain.dtype());
        }
    }
}
