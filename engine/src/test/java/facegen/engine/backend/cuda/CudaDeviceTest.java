package facegen.engine.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import facegen.engine.backend.device.BackendUnavailableException;
import facegen.engine.backend.device.Device;
import facegen.engine.backend.device.DeviceBuffer;
import facegen.engine.backend.device.DeviceException;
import facegen.engine.backend.device.DeviceOutOfMemoryException;
import facegen.engine.backend.device.Kernel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CudaDevice} on a real GPU: kernels against host arithmetic, copies, leaks, and each kind of error.
 * Without a CUDA driver every test is skipped with the reason {@link CudaDevice#open()} gives.
 */
class CudaDeviceTest {

    private static CudaDevice device;
    private static String unavailable;

    @BeforeAll
    static void openDevice() {
        try {
            device = CudaDevice.open();
            System.out.println("[cuda] " + device.info());
        } catch (BackendUnavailableException e) {
            unavailable = e.getMessage();
        }
    }

    @AfterAll
    static void closeDevice() {
        if (device != null) {
            device.close();
        }
    }

    @BeforeEach
    void requireGpu() {
        assumeTrue(device != null, unavailable);
    }

    @Test
    void axpyMatchesHostArithmeticOnSeveralSizes() {
        Random random = new Random(1);
        for (int n : new int[] {1, 7, 256, 1000, (1 << 20) + 3}) {
            float[] x = randomFloats(random, n);
            float[] y = randomFloats(random, n);
            float a = 1.5f;
            float[] expected = new float[n];
            for (int i = 0; i < n; i++) {
                expected[i] = a * x[i] + y[i];
            }
            // Fewer groups than elements for the largest size, so the grid-stride loop is exercised too.
            int groups = Math.min((n + 255) / 256, 1024);
            float[] actual = axpy(device, a, x, y, groups);
            // The worst element, not containsExactly(expected, within(...)): AssertJ's diff is quadratic in n.
            int worst = 0;
            for (int i = 0; i < n; i++) {
                if (Math.abs(actual[i] - expected[i]) > Math.abs(actual[worst] - expected[worst])) {
                    worst = i;
                }
            }
            assertThat(actual[worst]).as("axpy n=%d at %d", n, worst).isCloseTo(expected[worst], within(1e-5f));
        }
    }

    @Test
    void shippedPtxRunsWhereTheBuildMadeIt() {
        ShippedPtx shipped = ShippedPtx.find().orElse(null);
        assumeTrue(shipped != null, "this build ships no PTX (no nvcc at build time)");
        try (CudaDevice fromPtx = CudaDevice.open(0, shipped)) {
            assertThat(fromPtx.info().detail()).contains("PTX built by nvcc");
            assertThat(axpy(fromPtx, 2f, new float[] {1, 2, 3}, new float[] {10, 20, 30}, 1))
                    .containsExactly(12, 24, 36);
        }
    }

    @Test
    void uploadThenDownloadGivesTheSameBits() {
        float[] floats = {0f, -0f, 1f, Float.NaN, Float.POSITIVE_INFINITY, Float.MIN_VALUE, -3.25e30f};
        int[] ints = {0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 42};
        DeviceBuffer f = device.allocate(floats.length * 4L, "round-trip floats");
        DeviceBuffer i = device.allocate(ints.length * 4L, "round-trip ints");
        try {
            device.write(f, floats);
            device.write(i, ints);
            float[] floatsBack = new float[floats.length];
            int[] intsBack = new int[ints.length];
            device.read(f, floatsBack);
            device.read(i, intsBack);
            for (int k = 0; k < floats.length; k++) {
                assertThat(Float.floatToRawIntBits(floatsBack[k])).isEqualTo(Float.floatToRawIntBits(floats[k]));
            }
            assertThat(intsBack).containsExactly(ints);
        } finally {
            f.free();
            i.free();
        }
    }

    @Test
    void allocateLaunchFreeLoopDoesNotLeakDeviceMemory() {
        Kernel axpy = device.kernel("smoke", "axpy");
        float[] ones = new float[1024];
        Arrays.fill(ones, 1f);
        Runnable iteration = () -> {
            DeviceBuffer x = device.allocate(4096, "leak-test x");
            DeviceBuffer out = device.allocate(4096, "leak-test out");
            device.write(x, ones);
            device.launch(axpy, new int[] {4}, new int[] {256}, out, x, x, 2f, 1024);
            x.free();
            out.free();
        };
        for (int k = 0; k < 100; k++) {
            iteration.run();
        }
        device.synchronize();
        long freeBefore = device.memoryInfo()[0];
        long start = System.nanoTime();
        for (int k = 0; k < 10_000; k++) {
            iteration.run();
        }
        device.synchronize();
        long freeAfter = device.memoryInfo()[0];
        System.out.printf("[cuda] 10k x (2 allocations, copy, launch, 2 frees): %.1f us each; free bytes %d -> %d%n",
                (System.nanoTime() - start) / 1e7, freeBefore, freeAfter);
        // Two 4 KiB buffers leaked per iteration would be 80 MiB; the driver's own bookkeeping moves far less.
        assertThat(freeAfter).as("free bytes before %d, after %d", freeBefore, freeAfter)
                .isGreaterThanOrEqualTo(freeBefore - 2L * 1024 * 1024);
    }

    @Test
    void anyJavaThreadCanUseTheDevice() throws Exception {
        AtomicReference<float[]> platform = new AtomicReference<>();
        AtomicReference<float[]> virtual = new AtomicReference<>();
        Thread first = new Thread(() -> platform.set(axpy(device, 3f, new float[] {1, 2}, new float[] {1, 1}, 1)));
        first.start();
        first.join();
        Thread.ofVirtual().start(() -> virtual.set(axpy(device, 1f, new float[] {5}, new float[] {5}, 1))).join();
        assertThat(platform.get()).containsExactly(4, 7);
        assertThat(virtual.get()).containsExactly(10);
    }

    @Test
    void compileFailureCarriesTheNvrtcLog() {
        assumeTrue(device.info().detail().contains("NVRTC"), "kernels come from shipped PTX, not NVRTC");
        assertThatThrownBy(() -> device.kernel("test/broken", "broken")).isInstanceOf(DeviceException.class)
                .hasMessageContaining("NVRTC").hasMessageContaining("test/broken.cl")
                .hasMessageContaining("undefined_name");
    }

    @Test
    void missingFunctionNamesTheKernel() {
        assertThatThrownBy(() -> device.kernel("smoke", "no_such_function")).isInstanceOf(DeviceException.class)
                .hasMessageContaining("cuModuleGetFunction").hasMessageContaining("smoke/no_such_function")
                .hasMessageContaining("CUDA_ERROR_NOT_FOUND");
    }

    @Test
    void oversizedAllocationIsOutOfMemoryAndTheDeviceStaysUsable() {
        long total = device.info().memoryBytes();
        assertThatThrownBy(() -> device.allocate(4 * total, "oversized test buffer"))
                .isInstanceOf(DeviceOutOfMemoryException.class)
                .hasMessageContaining("oversized test buffer").hasMessageContaining(Long.toString(4 * total))
                .hasMessageContaining("free of");
        assertThat(axpy(device, 1f, new float[] {1}, new float[] {2}, 1)).containsExactly(3);
    }

    @Test
    void badLaunchArgumentsAreRejectedBeforeTheLaunch() {
        Kernel axpy = device.kernel("smoke", "axpy");
        DeviceBuffer b = device.allocate(16, "argument-test buffer");
        try {
            assertThatThrownBy(() -> device.launch(axpy, new int[] {1}, new int[] {1}, b, b, b, 1.0, 4))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("smoke/axpy")
                    .hasMessageContaining("argument 3");
            // Without the driver's parameter list a short argument list would launch and read garbage.
            if (device.checksArguments(axpy)) {
                assertThatThrownBy(() -> device.launch(axpy, new int[] {1}, new int[] {1}, b, b, b, 1f))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("smoke/axpy takes 5 arguments, got 4");
                assertThatThrownBy(() -> device.launch(axpy, new int[] {1}, new int[] {1}, b, b, b, 1f, b))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("argument 4 is 4 bytes");
            }
        } finally {
            b.free();
        }
        assertThatThrownBy(b::free).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("argument-test buffer");
        assertThatThrownBy(() -> device.read(b, new float[1])).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("argument-test buffer");
    }

    /**
     * A kernel writing far out of bounds loses the device, naming the kernel, and later calls repeat it. It runs in
     * a child JVM because the fault poisons CUDA for the whole process, and later tests still need the GPU.
     */
    @Test
    void outOfBoundsKernelReportsTheDeviceLostNamingTheKernel(@TempDir Path work) throws Exception {
        assumeTrue(device.info().detail().contains("NVRTC"), "the faulting test kernel needs NVRTC");
        // Output to a file, not a pipe, so a child that writes much (a crash report) cannot block on a full pipe.
        Path log = work.resolve("child.log");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                FaultingKernelMain.class.getName()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean finished = child.waitFor(60, TimeUnit.SECONDS);
        child.destroyForcibly();
        String output = Files.readString(log);
        System.out.println("[cuda] faulting child said:\n" + output);
        assertThat(finished).as("child JVM finished within 60 s").isTrue();
        assertThat(output).contains("first: CUDA device lost").contains("CUDA_ERROR_ILLEGAL_ADDRESS")
                .contains("after kernel test/faults/write_far").contains("later: CUDA device lost");
        assertThat(child.exitValue()).isZero();
    }

    /** out = a * x + y through the smoke kernel, with {@code groups} groups of 256 items. */
    private static float[] axpy(Device on, float a, float[] x, float[] y, int groups) {
        DeviceBuffer xs = on.allocate(x.length * 4L, "axpy x");
        DeviceBuffer ys = on.allocate(y.length * 4L, "axpy y");
        DeviceBuffer out = on.allocate(x.length * 4L, "axpy out");
        try {
            on.write(xs, x);
            on.write(ys, y);
            on.launch(on.kernel("smoke", "axpy"), new int[] {groups}, new int[] {256}, out, xs, ys, a, x.length);
            float[] result = new float[x.length];
            on.read(out, result);
            return result;
        } finally {
            xs.free();
            ys.free();
            out.free();
        }
    }

    private static float[] randomFloats(Random random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }
}
