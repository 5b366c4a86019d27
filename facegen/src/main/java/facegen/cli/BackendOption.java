package facegen.cli;

import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import picocli.CommandLine.Option;

/** The {@code --backend NAME} option shared by commands that compute. */
final class BackendOption {
    @Option(names = "--backend", defaultValue = "cpu", paramLabel = "NAME",
            description = "Compute backend: reference (float64 plain loops), cpu (float32, Vector API), opencl (any OpenCL device) "
                    + "or cuda (NVIDIA GPU); 'facegen devices' lists what this machine has. Default: ${DEFAULT-VALUE}.")
    String name;

    /** Creates the chosen backend; the caller closes it. */
    Backend create() {
        return Backends.create(name);
    }
}
