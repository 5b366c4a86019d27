package facegen.audit.layers;

import facegen.audit.AuditCase;
import facegen.audit.AuditRow;
import facegen.audit.AuditRowsTest;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The layer audit as a test: every nn layer row passes on every backend, with both oracles present. */
class NnLayerAuditTest extends AuditRowsTest {

    @Override
    protected List<AuditCase> cases() {
        return NnLayerCases.cases();
    }

    @Override
    protected void checkColumns(AuditCase c, AuditRow row) {
        assertThat(row.fd()).as("fd column of %s", c).isPresent();
        assertThat(row.fd2()).as("fd2 column of %s", c).isPresent();
        assertThat(row.torchBackward()).as("torch column of %s", c).isPresent();
    }
}
