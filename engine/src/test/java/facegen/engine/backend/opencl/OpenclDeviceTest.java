package facegen.engine.backend.opencl;

import facegen.engine.backend.device.BackendUnavailableException;
import facegen.engine.backend.device.DeviceBuffer;
import facegen.engine.backend.device.DeviceException;
import facegen.engine.backend.device.DeviceInfo;
import facegen.engine.backend.device.DeviceOutOfMemoryException;
import facegen.engine.backend.device.Kernel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Assumptions;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The OpenCL driver on its own: discovery, a kernel launch, and the errors users see (build log, out of memory,
 * freed buffers, bad arguments). Skipped, with the reason, where OpenCL is unavailable.
 */
class OpenclDeviceTest {

    private static OpenClDevice device;
    private static String unavailable;

    @BeforeAll
    static void open() {
        try {
            device = OpenClDevice.open();
        } catch (BackendUnavailableException e) {
            unavailable = e.getMessage();
        }
    }

    /** Each test is reported skipped, with the reason, where OpenCL is unavailable. */
    @BeforeEach
    void skipWithoutOpenCl() {
        Assumptions.assumeTrue(device != null, () -> "OpenCL unavailable: " + unavailable);
    }

    @AfterAll
    static void close() {
        if (device != null) {
            device.close();
        }
    }

    @Test
    void probeListsTheOpenedDevice() {
        List<DeviceInfo> devices = OpenClDevice.probe();

        assertThat(devices).isNotEmpty().allSatisfy(d -> assertThat(d.backend()).isEqualTo("opencl"));
        assertThat(devices).extracting(DeviceInfo::name).contains(device.info().name());
        assertThat(device.info().memoryBytes()).isPositive();
        assertThat(device.info().computeUnits()).isPositive();
    }

    @Test
    void smokeKernelComputesAxpy() {
        float[] x = {1, 2, 3, 4, 5};
        float[] y = {10, 20, 30, 40, 50};
        DeviceBuffer xb = device.allocate(20, "x");
        DeviceBuffer yb = device.allocate(20, "y");
        DeviceBuffer out = device.allocate(20, "out");
        try {
            device.write(xb, x);
            device.write(yb, y);
            // 2 groups of 2: the grid-stride loop must still cover all 5 elements.
            device.launch(device.kernel("smoke", "axpy"), new int[] {2}, new int[] {2}, out, xb, yb, 3f, 5);
            float[] result = new float[5];
            device.read(out, result);

            assertThat(result).containsExactly(13, 26, 39, 52, 65);
        } finally {
            xb.free();
            yb.free();
            out.free();
        }
    }

    @Test
    void kernelsAreCompiledOnceAndCached() {
        assertThat(device.kernel("smoke", "axpy")).isSameAs(device.kernel("smoke", "axpy"));
    }

    @Test
    void compileFailureCarriesTheBuildLog() {
        String broken = "KERNEL void broken(GLOBAL float* y) { y[0] = no_such_variable; }\n";

        assertThatThrownBy(() -> device.compile("broken", broken))
                .isInstanceOf(DeviceException.class)
                .hasMessageContaining("clBuildProgram failed with CL_BUILD_PROGRAM_FAILURE")
                .hasMessageContaining("broken.cl")
                .hasMessageContaining("build log")
                .hasMessageContaining("no_such_variable");
    }

    @Test
    void missingKernelFunctionIsNamed() {
        assertThatThrownBy(() -> device.kernel("smoke", "no_such_kernel"))
                .isInstanceOf(DeviceException.class)
                .hasMessageContaining("clCreateKernel")
                .hasMessageContaining("CL_INVALID_KERNEL_NAME")
                .hasMessageContaining("smoke/no_such_kernel");
    }

    @Test
    void oversizedAllocationIsOutOfMemoryNamingTheBuffer() {
        long tooMany = device.maxAllocBytes() + 1;

        assertThatThrownBy(() -> device.allocate(tooMany, "activations of layer 7"))
                .isInstanceOf(DeviceOutOfMemoryException.class)
                .hasMessageContaining("activations of layer 7")
                .hasMessageContaining(Long.toString(tooMany))
                .hasMessageContaining(device.info().name());
    }

    @Test
    void freedBufferIsRejectedByName() {
        DeviceBuffer b = device.allocate(16, "weights of conv1");
        b.free();

        assertThatThrownBy(() -> device.write(b, new float[4]))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("weights of conv1");
        assertThatThrownBy(b::free).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void unsupportedArgumentTypeNamesKernelAndIndex() {
        Kernel axpy = device.kernel("smoke", "axpy");

        assertThatThrownBy(() -> device.launch(axpy, new int[] {1}, new int[] {1}, 1.0d))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("smoke/axpy")
                .hasMessageContaining("argument 0");
    }

    @Test
    void transferLargerThanTheBufferIsRejected() {
        DeviceBuffer b = device.allocate(8, "two floats");
        try {
            assertThatThrownBy(() -> device.write(b, new float[3]))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("two floats");
        } finally {
            b.free();
        }
    }
}
