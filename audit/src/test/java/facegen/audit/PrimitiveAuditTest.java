package facegen.audit;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.engine.ops.Op;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The gradient audit as a test: every primitive row passes on every backend, and every primitive has a row. */
class PrimitiveAuditTest {
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
            for (AuditCase c : PrimitiveAudit.cases()) {
                args.add(Arguments.of(c, backend));
            }
        }
        return args.stream();
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("rows")
    void primitivePassesTheAudit(AuditCase c, String backend) {
        AuditRow row = audits.get(backend).run(c);
        assertThat(row.pass()).as("%s%n%s%n%s", AuditReport.HEADER, row.tsv(), row.note()).isTrue();
    }

    @Test
    void everyPrimitiveHasARow() {
        Set<Class<?>> covered = PrimitiveAudit.cases().stream().map(AuditCase::primitive).collect(Collectors.toSet());
        List<String> missing = primitives(Op.class).stream().filter(p -> !covered.contains(p))
                .map(Class::getSimpleName).toList();
        assertThat(missing).as("primitives without an audit case").isEmpty();
    }

    @Test
    void rowNamesAreUnique() {
        List<String> names = PrimitiveAudit.cases().stream().map(AuditCase::name).toList();
        assertThat(names).doesNotHaveDuplicates();
    }

    /** The records below a sealed interface, found by walking getPermittedSubclasses recursively. */
    private static List<Class<?>> primitives(Class<?> type) {
        if (!type.isSealed()) {
            return type.isRecord() ? List.of(type) : List.of();
        }
        List<Class<?>> out = new ArrayList<>();
        for (Class<?> sub : type.getPermittedSubclasses()) {
            out.addAll(primitives(sub));
        }
        return out;
    }
}
