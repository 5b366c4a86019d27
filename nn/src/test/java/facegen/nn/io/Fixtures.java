package facegen.nn.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The files of {@code src/test/resources/facegen/nn/io}, written by CPython and NumPy ({@code make_fixtures.py}). */
final class Fixtures {
    private Fixtures() {}

    /** The bytes of fixture {@code name}. */
    static byte[] bytes(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
