package facegen.audit;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;

import static org.assertj.core.api.Assertions.assertThat;

/** The table format the CLI writes and reviewers read. */
class AuditReportTest {

    @Test
    void primitivesTsvHasTheAgreedHeaderAndFormatsNumbersAsTwoDigitExponents(@org.junit.jupiter.api.io.TempDir Path dir)
            throws IOException {
        AuditRow row = new AuditRow("conv2d", "cpu", OptionalDouble.of(1.234e-7), OptionalDouble.empty(),
                OptionalDouble.of(0), OptionalDouble.of(Double.NaN), OptionalDouble.empty(), OptionalDouble.empty(), false,
                "torch backward threw");

        Path file = AuditReport.writePrimitives(dir, List.of(row));

        assertThat(Files.readAllLines(file)).containsExactly(
                "primitive\tbackend\tfd_max_rel_err\tfd2_max_rel_err\ttorch_fwd_max_abs_err\ttorch_bwd_max_abs_err\tstatus",
                "conv2d\tcpu\t1.23e-07\tn/a\t0.00e+00\tNaN\tFAIL");
        assertThat(AuditReport.allPass(List.of(row))).isFalse();
    }

    @Test
    void gpuBackendRowsAlsoHoldTheErrorsAgainstTheCpuBackend() {
        OptionalDouble none = OptionalDouble.empty();
        AuditRow row = new AuditRow("exp", "cuda", OptionalDouble.of(2e-7), none, none, none,
                OptionalDouble.of(3e-8), OptionalDouble.of(4e-8), true, "torch n/a: libtorch natives not loadable here");

        assertThat(AuditReport.toTsv(List.of(row)).split("\n")).containsExactly(
                "primitive\tbackend\tfd_max_rel_err\tfd2_max_rel_err\ttorch_fwd_max_abs_err\ttorch_bwd_max_abs_err"
                        + "\tcpu_fwd_max_abs_err\tcpu_bwd_max_abs_err\tstatus",
                "exp\tcuda\t2.00e-07\tn/a\tn/a\tn/a\t3.00e-08\t4.00e-08\tpass");
    }

    @Test
    void scaledErrorIsRelativeToTheTruthAndNaNOnNonFiniteValues() {
        assertThat(ScaledError.of(new double[] {1.0, 2.1}, new double[] {1.0, 2.0})).isCloseTo(0.05, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(ScaledError.of(new double[] {1e-20}, new double[] {0})).isEqualTo(1e-20 / ScaledError.TINY);
        assertThat(ScaledError.of(new double[] {Double.NaN}, new double[] {1})).isNaN();
    }

    @Test
    void coordinateSampleIsAllIndicesWhenSmallAndAFixedDistinctSubsetWhenBig() {
        assertThat(CoordinateSample.of(5, 40, 1).indices()).containsExactly(0, 1, 2, 3, 4);
        int[] big = CoordinateSample.of(1000, 40, 7).indices();
        assertThat(big).hasSize(40).doesNotHaveDuplicates().isSorted();
        assertThat(CoordinateSample.of(1000, 40, 7).indices()).isEqualTo(big);
    }
}
