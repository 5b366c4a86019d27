package facegen.engine.backend;

import facegen.engine.backend.cpu.CpuBackend;
import facegen.engine.backend.cuda.CudaDevice;
import facegen.engine.backend.device.DeviceBackend;
import facegen.engine.backend.device.DeviceInfo;
import facegen.engine.backend.opencl.OpenClDevice;
import facegen.engine.backend.reference.ReferenceBackend;

import java.util.List;

/** Creates backends by the names users type ({@code --backend reference|cpu|opencl|cuda}). */
public final class Backends {

    private Backends() {}

    /** Names of every backend this build knows, available on this machine or not. */
    public static List<String> names() {
        return List.of("reference", "cpu", "opencl", "cuda");
    }

    /**
     * A new backend by name; the caller closes it.
     *
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     * @throws facegen.engine.backend.device.BackendUnavailableException when the backend cannot run on this machine
     */
    public static Backend create(String name) {
        return switch (name) {
            case "reference" -> new ReferenceBackend();
            case "cpu" -> new CpuBackend();
            case "opencl" -> new DeviceBackend(OpenClDevice.open());
            case "cuda" -> new DeviceBackend(CudaDevice.open());
            default -> throw new IllegalArgumentException("unknown backend '" + name + "'; known: " + names());
        };
    }

    /**
     * The devices backend {@code name} would run on here, without creating it (for {@code facegen devices}).
     *
     * @throws facegen.engine.backend.device.BackendUnavailableException with the reason it cannot run here
     */
    public static List<DeviceInfo> devices(String name) {
        Runtime rt = Runtime.getRuntime();
        return switch (name) {
            case "reference" -> List.of(new DeviceInfo("reference", "host CPU (memory: JVM max heap)", rt.maxMemory(), 1,
                    "float64, plain loops on one thread: the auditable definition of every primitive"));
            case "cpu" -> List.of(new DeviceInfo("cpu", "host CPU (memory: JVM max heap)", rt.maxMemory(), rt.availableProcessors(),
                    "float32, Vector API " + jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length()
                            + " floats per vector, " + rt.availableProcessors() + " threads"));
            case "opencl" -> OpenClDevice.probe();
            case "cuda" -> CudaDevice.probe();
            default -> throw new IllegalArgumentException("unknown backend '" + name + "'; known: " + names());
        };
    }
}
