package facegen.engine.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import facegen.engine.backend.device.BackendUnavailableException;
import facegen.engine.backend.device.DeviceInfo;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link CudaDevice#probe()} lists devices where a driver is installed and says why not where none is. */
@SuppressWarnings("restricted") // the test JVM runs with --enable-native-access
class CudaProbeTest {

    @Test
    void probeListsDevicesOrNamesTheMissingDriver() {
        if (!driverLoads()) {
            assertThatThrownBy(CudaDevice::probe).isInstanceOf(BackendUnavailableException.class)
                    .hasMessage("no CUDA driver: libcuda.so.1 not found (install the NVIDIA driver)");
            assertThatThrownBy(CudaDevice::open).isInstanceOf(BackendUnavailableException.class)
                    .hasMessageStartingWith("no CUDA driver: ");
            return;
        }
        List<DeviceInfo> devices = CudaDevice.probe();
        assertThat(devices).isNotEmpty().allSatisfy(device -> {
            assertThat(device.backend()).isEqualTo("cuda");
            assertThat(device.name()).isNotBlank();
            assertThat(device.memoryBytes()).isPositive();
            assertThat(device.computeUnits()).isPositive();
            assertThat(device.detail()).contains("CUDA driver API").containsAnyOf("NVRTC", "nvcc", "no CUDA kernel");
        });
        devices.forEach(device -> System.out.println("[cuda] " + device));
    }

    @Test
    void malformedDevicePropertyIsRejectedWithItsValue() {
        String previous = System.getProperty(CudaDevice.DEVICE_PROPERTY);
        System.setProperty(CudaDevice.DEVICE_PROPERTY, "first");
        try {
            assertThatThrownBy(CudaDevice::open).isInstanceOf(BackendUnavailableException.class)
                    .hasMessageContaining("facegen.cuda.device=first");
        } finally {
            if (previous == null) {
                System.clearProperty(CudaDevice.DEVICE_PROPERTY);
            } else {
                System.setProperty(CudaDevice.DEVICE_PROPERTY, previous);
            }
        }
    }

    private static boolean driverLoads() {
        try {
            SymbolLookup.libraryLookup(CudaDriver.LIBRARY, Arena.global());
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
