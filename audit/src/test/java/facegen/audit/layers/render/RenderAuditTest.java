package facegen.audit.layers.render;

import facegen.audit.AuditCase;
import facegen.audit.AuditRowsTest;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The renderer's layer rows pass the audit on every backend. */
class RenderAuditTest extends AuditRowsTest {

    @Override
    protected List<AuditCase> cases() {
        return RenderCases.cases();
    }

    @Test
    void rowNamesArePrefixed() {
        assertThat(cases()).allMatch(c -> c.name().startsWith("render_"));
    }
}
