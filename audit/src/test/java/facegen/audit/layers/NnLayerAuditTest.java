package facegen.audit.layers;

import facegen.audit.AuditCase;
import facegen.audit.AuditReport;
import facegen.audit.AuditRow;
import facegen.audit.CaseAudit;
import facegen.audit.TorchOracle;
import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The layer audit as a test: every nn layer row passes on every backend, with both oracles present. */
class NnLayerAuditTest {
    private static final List<String> BACKENDS = List.of("reference", "cpu");

    private static Map<String, Backend> backends;
    private static Map<String, CaseAudit> audits;

    @BeforeAll
    static void openBackends() {
        backends = new TreeMap<>();
        audits = new TreeMap<>();
        TorchOracle oracle = new TorchOracle();
        for (String name : BACKENDS) {
            backends.put(name, Backends.create(name));
        }
        for (String name : BACKENDS) {
            audits.put(name, new CaseAudit(backends.get(name), backends.get("reference"), oracle));
        }
    }

    @AfterAll
    static void closeBackends() {
        backends.values().forEach(Backend::close);
    }

    static Stream<Arguments> rows() {
        List<Arguments> args = new ArrayList<>();
        for (String backend : BACKENDS) {
            for (AuditCase c : NnLayerCases.cases()) {
                args.add(Arguments.of(c, backend));
            }
        }
        return args.stream();
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("rows")
    void layerPassesTheAudit(AuditCase c, String backend) {
        AuditRow row = audits.get(backend).run(c);
        System.out.println(row.tsv() + (row.note().isEmpty() ? "" : "\t" + row.note()));
        assertThat(row.pass()).as("%s%n%s%n%s", AuditReport.HEADER, row.tsv(), row.note()).isTrue();
        assertThat(row.fd()).as("fd column of %s", c).isPresent();
        assertThat(row.fd2()).as("fd2 column of %s", c).isPresent();
        assertThat(row.torchBackward()).as("torch column of %s", c).isPresent();
    }

    @Test
    void rowNamesAreUnique() {
        List<String> names = NnLayerCases.cases().stream().map(AuditCase::name).toList();
        assertThat(names).doesNotHaveDuplicates();
    }
}
