package facegen.engine.backend.cuda;

import facegen.engine.backend.device.DeviceBuffer;
import facegen.engine.backend.device.DeviceException;

/**
 * Child process of {@link CudaDeviceTest}: launches the out-of-bounds kernel and prints the error of the wait
 * ("first: ...") and of a later copy ("later: ..."); exits 1 if the fault went unnoticed.
 */
public final class FaultingKernelMain {

    private FaultingKernelMain() {}

    /** Runs the fault; see the class comment for the output. */
    public static void main(String[] args) {
        try (CudaDevice device = CudaDevice.open()) {
            DeviceBuffer out = device.allocate(4, "fault target");
            device.launch(device.kernel("test/faults", "write_far"), new int[] {1}, new int[] {1}, out, 1);
            try {
                device.synchronize();
                System.out.println("no error after the faulting kernel");
                System.exit(1);
            } catch (DeviceException e) {
                System.out.println("first: " + e.getMessage());
            }
            try {
                device.read(out, new float[1]);
                System.out.println("no error on the copy after the fault");
                System.exit(1);
            } catch (DeviceException e) {
                System.out.println("later: " + e.getMessage());
            }
        }
    }
}
