package facegen.audit;

import facegen.engine.ops.Op;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The gradient audit as a test: every primitive row passes on every backend, and every primitive has a row. */
class PrimitiveAuditTest extends AuditRowsTest {

    @Override
    protected List<AuditCase> cases() {
        return PrimitiveAudit.cases();
    }

    @Test
    void everyPrimitiveHasARow() {
        Set<Class<?>> covered = PrimitiveAudit.cases().stream().map(AuditCase::primitive).collect(Collectors.toSet());
        List<String> missing = primitives(Op.class).stream().filter(p -> !covered.contains(p))
                .map(Class::getSimpleName).toList();
        assertThat(missing).as("primitives without an audit case").isEmpty();
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
