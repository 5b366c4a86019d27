package facegen.audit.layers.facenets;

import facegen.audit.AuditCase;
import facegen.audit.AuditRow;
import facegen.audit.AuditRowsTest;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The face losses' audit as a test: each loss's gradient w.r.t. the image passes on every backend. */
class FaceNetAuditTest extends AuditRowsTest {

    @Override
    protected List<AuditCase> cases() {
        return FaceNetCases.cases();
    }

    @Override
    protected void checkColumns(AuditCase c, AuditRow row) {
        assertThat(row.fd()).as("fd column of %s", c).isPresent();
    }
}
