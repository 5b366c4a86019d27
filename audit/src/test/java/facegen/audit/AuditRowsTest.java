package facegen.audit;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.engine.backend.device.BackendUnavailableException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A table of audit rows as a test: every case of {@link #cases()} passes on every backend, and row names are
 * unique. Subclasses name the table (primitives, nn layers, render layers).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class AuditRowsTest {
    /** Every backend; a GPU backend this machine lacks has its rows reported skipped with the reason. */
    private static final List<String> BACKENDS = List.of("reference", "cpu", "opencl", "cuda");

    private Map<String, Backend> backends;
    private Map<String, CaseAudit> audits;
    private final Map<String, String> unavailable = new TreeMap<>();

    /** The rows this test checks. */
    protected abstract List<AuditCase> cases();

    @BeforeAll
    void openBackends() {
        backends = new TreeMap<>();
        audits = new TreeMap<>();
        TorchOracle oracle = new TorchOracle();
        for (String name : BACKENDS) {
            try {
                backends.put(name, Backends.create(name));
            } catch (BackendUnavailableException e) {
                unavailable.put(name, e.getMessage());
            }
        }
        for (String name : backends.keySet()) {
            Backend peer = AuditRow.comparedWithCpu(name) ? backends.get("cpu") : null;
            audits.put(name, new CaseAudit(backends.get(name), backends.get("reference"), oracle, peer));
        }
    }

    @AfterAll
    void closeBackends() {
        backends.values().forEach(Backend::close);
    }

    Stream<Arguments> rows() {
        List<Arguments> args = new ArrayList<>();
        for (String backend : BACKENDS) {
            for (AuditCase c : cases()) {
                args.add(Arguments.of(c, backend));
            }
        }
        return args.stream();
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("rows")
    void rowPassesTheAudit(AuditCase c, String backend) {
        Assumptions.assumeTrue(audits.containsKey(backend), () -> backend + " unavailable: " + unavailable.get(backend));
        AuditRow row = audits.get(backend).run(c);
        assertThat(row.pass()).as("%s%n%s", AuditReport.toTsv(List.of(row)), row.note()).isTrue();
        checkColumns(c, row);
    }

    /** Further demands on a passing row (e.g. that no column is n/a); none by default. */
    protected void checkColumns(AuditCase c, AuditRow row) {}

    @Test
    void rowNamesAreUnique() {
        assertThat(cases().stream().map(AuditCase::name).toList()).doesNotHaveDuplicates();
    }
}
