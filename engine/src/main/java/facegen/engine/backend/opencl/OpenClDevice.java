package facegen.engine.backend.opencl;

import facegen.engine.backend.device.BackendUnavailableException;
import facegen.engine.backend.device.Device;
import facegen.engine.backend.device.DeviceBuffer;
import facegen.engine.backend.device.DeviceException;
import facegen.engine.backend.device.DeviceInfo;
import facegen.engine.backend.device.DeviceOutOfMemoryException;
import facegen.engine.backend.device.Kernel;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import static facegen.engine.backend.opencl.OpenCl.call;
import static facegen.engine.backend.opencl.OpenCl.check;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One OpenCL device: a context, one in-order command queue, buffers, and the shared kernel sources compiled by
 * the driver ({@code #define FACEGEN_OPENCL} + {@code prelude.h} + {@code <source>.cl}), one program per source,
 * cached with its kernels for the life of the device.
 *
 * <p>{@link #probe()} lists every device of every platform; {@link #open()} picks one (system property
 * {@code facegen.opencl.device=N} = the N-th of {@link #probe()}, else the first GPU, else the first device).
 * Methods are synchronized: a {@code cl_kernel}'s arguments are state shared until its launch is queued.
 */
public final class OpenClDevice implements Device {

    /** Where the kernel sources live on the classpath. */
    static final String KERNELS = "/facegen/engine/kernels/";
    /** System property choosing a device by its position in {@link #probe()}. */
    public static final String DEVICE_PROPERTY = "facegen.opencl.device";

    private final OpenCl cl;
    private final MemorySegment device;
    private final MemorySegment context;
    private final MemorySegment queue;
    private final DeviceInfo info;
    private final long maxAllocBytes;
    private final String buildOptions;
    private final Map<String, MemorySegment> programs = new HashMap<>();
    private final Map<String, OpenClKernel> kernels = new HashMap<>();
    private final Map<OpenClBuffer, Boolean> liveBuffers = new IdentityHashMap<>();
    private String lastKernel = "(none)";
    private boolean closed;

    /** One device as discovered: its platform and device handles and what {@link #probe()} reports. */
    private record Candidate(MemorySegment platform, MemorySegment device, boolean gpu, DeviceInfo info) {}

    private OpenClDevice(OpenCl cl, Candidate chosen) {
        this.cl = cl;
        this.device = chosen.device;
        this.info = chosen.info;
        this.maxAllocBytes = deviceLong(cl, device, OpenCl.CL_DEVICE_MAX_MEM_ALLOC_SIZE);
        boolean exactDivide = (deviceLong(cl, device, OpenCl.CL_DEVICE_SINGLE_FP_CONFIG)
                & OpenCl.CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT) != 0;
        // Correctly rounded x / y and sqrt match the CPU backend bit for bit where the device can (OpenCL allows
        // 2.5 ulp otherwise); no fast-math flags, so IEEE inf/NaN rules hold as in Op's contract.
        this.buildOptions = exactDivide ? "-cl-fp32-correctly-rounded-divide-sqrt" : "";
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment status = arena.allocate(JAVA_INT);
            MemorySegment devices = arena.allocate(ADDRESS);
            devices.set(ADDRESS, 0, device);
            this.context = call("clCreateContext", () ->
                    (MemorySegment) cl.clCreateContext.invokeExact(MemorySegment.NULL, 1, devices, MemorySegment.NULL,
                            MemorySegment.NULL, status));
            check(status.get(JAVA_INT, 0), "clCreateContext", "device " + info.name());
            this.queue = call("clCreateCommandQueue", () ->
                    (MemorySegment) cl.clCreateCommandQueue.invokeExact(context, device, 0L, status));
            check(status.get(JAVA_INT, 0), "clCreateCommandQueue", "device " + info.name());
        }
    }

    /**
     * Every OpenCL device on this machine, in platform order then device order ({@code facegen.opencl.device=N}
     * picks the N-th).
     *
     * @throws BackendUnavailableException when there is no loader, no platform or no device, saying what to install
     */
    public static List<DeviceInfo> probe() {
        return discover(OpenCl.load()).stream().map(Candidate::info).toList();
    }

    /**
     * Opens the device chosen by {@code facegen.opencl.device=N} if set, else the first GPU, else the first device.
     *
     * @throws BackendUnavailableException when no device is available or N is out of range
     */
    public static OpenClDevice open() {
        OpenCl cl = OpenCl.load();
        List<Candidate> candidates = discover(cl);
        String chosen = System.getProperty(DEVICE_PROPERTY);
        if (chosen != null) {
            int n;
            try {
                n = Integer.parseInt(chosen.trim());
            } catch (NumberFormatException e) {
                throw new BackendUnavailableException(DEVICE_PROPERTY + "=" + chosen + " is not a device number", e);
            }
            if (n < 0 || n >= candidates.size()) {
                throw new BackendUnavailableException(DEVICE_PROPERTY + "=" + n + " but this machine has "
                        + candidates.size() + " OpenCL device(s): " + candidates.stream().map(c -> c.info.name()).toList());
            }
            return new OpenClDevice(cl, candidates.get(n));
        }
        Candidate pick = candidates.stream().filter(Candidate::gpu).findFirst().orElse(candidates.getFirst());
        return new OpenClDevice(cl, pick);
    }

    private static List<Candidate> discover(OpenCl cl) {
        List<Candidate> found = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(JAVA_INT);
            int status = call("clGetPlatformIDs", () -> (int) cl.clGetPlatformIDs.invokeExact(0, MemorySegment.NULL, count));
            if (status == OpenCl.CL_PLATFORM_NOT_FOUND_KHR || (status == OpenCl.CL_SUCCESS && count.get(JAVA_INT, 0) == 0)) {
                throw new BackendUnavailableException("OpenCL is installed (" + OpenCl.LIBRARY + ") but has no platform:"
                        + " install an ICD, e.g. apt-get install pocl-opencl-icd, or your GPU vendor's OpenCL driver");
            }
            check(status, "clGetPlatformIDs", "listing platforms");
            int platforms = count.get(JAVA_INT, 0);
            MemorySegment ids = arena.allocate(ADDRESS, platforms);
            check(call("clGetPlatformIDs", () -> (int) cl.clGetPlatformIDs.invokeExact(platforms, ids, count)),
                    "clGetPlatformIDs", "listing platforms");
            for (int p = 0; p < platforms; p++) {
                MemorySegment platform = ids.getAtIndex(ADDRESS, p);
                int devStatus = call("clGetDeviceIDs", () -> (int) cl.clGetDeviceIDs.invokeExact(platform,
                        OpenCl.CL_DEVICE_TYPE_ALL, 0, MemorySegment.NULL, count));
                if (devStatus != OpenCl.CL_SUCCESS || count.get(JAVA_INT, 0) == 0) {
                    continue; // CL_DEVICE_NOT_FOUND: a platform without devices is skipped, not an error
                }
                int devices = count.get(JAVA_INT, 0);
                MemorySegment devIds = arena.allocate(ADDRESS, devices);
                check(call("clGetDeviceIDs", () -> (int) cl.clGetDeviceIDs.invokeExact(platform,
                        OpenCl.CL_DEVICE_TYPE_ALL, devices, devIds, MemorySegment.NULL)), "clGetDeviceIDs", "listing devices");
                String platformName = platformString(cl, platform, OpenCl.CL_PLATFORM_NAME);
                String platformVersion = platformString(cl, platform, OpenCl.CL_PLATFORM_VERSION);
                for (int d = 0; d < devices; d++) {
                    MemorySegment dev = devIds.getAtIndex(ADDRESS, d);
                    boolean gpu = (deviceLong(cl, dev, OpenCl.CL_DEVICE_TYPE) & OpenCl.CL_DEVICE_TYPE_GPU) != 0;
                    String detail = "platform " + platformName + " (" + platformVersion + "), "
                            + deviceString(cl, dev, OpenCl.CL_DEVICE_VERSION) + ", driver "
                            + deviceString(cl, dev, OpenCl.CL_DRIVER_VERSION) + ", kernels compiled by the driver"
                            + (gpu ? "" : ", not a GPU");
                    found.add(new Candidate(platform, dev, gpu, new DeviceInfo("opencl", deviceString(cl, dev, OpenCl.CL_DEVICE_NAME),
                            deviceLong(cl, dev, OpenCl.CL_DEVICE_GLOBAL_MEM_SIZE),
                            (int) deviceLong(cl, dev, OpenCl.CL_DEVICE_MAX_COMPUTE_UNITS), detail)));
                }
            }
        }
        if (found.isEmpty()) {
            throw new BackendUnavailableException("OpenCL platforms exist but none has a device: install a driver for"
                    + " your GPU, or pocl-opencl-icd for the CPU");
        }
        return found;
    }

    private static String platformString(OpenCl cl, MemorySegment platform, int param) {
        return infoString("clGetPlatformInfo", (size, value, sizeRet) ->
                call("clGetPlatformInfo", () -> (int) cl.clGetPlatformInfo.invokeExact(platform, param, size, value, sizeRet)));
    }

    private static String deviceString(OpenCl cl, MemorySegment dev, int param) {
        return infoString("clGetDeviceInfo", (size, value, sizeRet) ->
                call("clGetDeviceInfo", () -> (int) cl.clGetDeviceInfo.invokeExact(dev, param, size, value, sizeRet)));
    }

    /** A cl_ulong, cl_uint or bitfield device property, read as a (zero-extended) long. */
    private static long deviceLong(OpenCl cl, MemorySegment dev, int param) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_LONG);
            MemorySegment size = arena.allocate(JAVA_LONG);
            check(call("clGetDeviceInfo", () -> (int) cl.clGetDeviceInfo.invokeExact(dev, param, 8L, value, size)),
                    "clGetDeviceInfo", "property 0x" + Integer.toHexString(param));
            return size.get(JAVA_LONG, 0) == 4 ? Integer.toUnsignedLong(value.get(JAVA_INT, 0)) : value.get(JAVA_LONG, 0);
        }
    }

    /** The two-step size-then-value query of a string property. */
    @FunctionalInterface
    private interface InfoQuery {
        int query(long size, MemorySegment value, MemorySegment sizeRet);
    }

    private static String infoString(String callName, InfoQuery q) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment size = arena.allocate(JAVA_LONG);
            check(q.query(0, MemorySegment.NULL, size), callName, "string size");
            long n = size.get(JAVA_LONG, 0);
            MemorySegment value = arena.allocate(Math.max(1, n));
            check(q.query(n, value, MemorySegment.NULL), callName, "string value");
            return value.getString(0).trim();
        }
    }

    @Override
    public DeviceInfo info() {
        return info;
    }

    /** CL_DEVICE_MAX_MEM_ALLOC_SIZE: the largest single buffer this device allows. */
    public long maxAllocBytes() {
        return maxAllocBytes;
    }

    @Override
    public synchronized DeviceBuffer allocate(long bytes, String what) {
        checkOpen();
        if (bytes <= 0) {
            throw new IllegalArgumentException("device buffer '" + what + "' needs a positive size, got " + bytes + " bytes");
        }
        if (bytes > maxAllocBytes) {
            throw new DeviceOutOfMemoryException("cannot allocate " + what + ": " + bytes + " bytes exceed"
                    + " CL_DEVICE_MAX_MEM_ALLOC_SIZE = " + maxAllocBytes + " bytes of OpenCL device " + info.name());
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment status = arena.allocate(JAVA_INT);
            MemorySegment mem = call("clCreateBuffer", () -> (MemorySegment) cl.clCreateBuffer.invokeExact(context,
                    OpenCl.CL_MEM_READ_WRITE, bytes, MemorySegment.NULL, status));
            int code = status.get(JAVA_INT, 0);
            if (code == -4 || code == -5 || code == -6 || code == -61) {
                throw new DeviceOutOfMemoryException("cannot allocate " + what + ": " + bytes + " bytes on OpenCL device "
                        + info.name() + " (clCreateBuffer: " + OpenCl.errorName(code) + ")");
            }
            check(code, "clCreateBuffer", what + ", " + bytes + " bytes");
            OpenClBuffer buffer = new OpenClBuffer(this, mem, bytes, what);
            liveBuffers.put(buffer, Boolean.TRUE);
            return buffer;
        }
    }

    /** Called by {@link OpenClBuffer#free()} once. */
    synchronized void release(OpenClBuffer buffer, MemorySegment mem) {
        if (liveBuffers.remove(buffer) != null && !closed) {
            check(call("clReleaseMemObject", () -> (int) cl.clReleaseMemObject.invokeExact(mem)),
                    "clReleaseMemObject", buffer.what());
        }
    }

    @Override
    public void write(DeviceBuffer dst, float[] src) {
        transfer(dst, MemorySegment.ofArray(src), JAVA_FLOAT, src.length, true);
    }

    @Override
    public void write(DeviceBuffer dst, int[] src) {
        transfer(dst, MemorySegment.ofArray(src), JAVA_INT, src.length, true);
    }

    @Override
    public void read(DeviceBuffer src, float[] dst) {
        transfer(src, MemorySegment.ofArray(dst), JAVA_FLOAT, dst.length, false);
    }

    @Override
    public void read(DeviceBuffer src, int[] dst) {
        transfer(src, MemorySegment.ofArray(dst), JAVA_INT, dst.length, false);
    }

    /** A blocking copy of {@code count} 4-byte elements between {@code host} and the start of {@code buffer}, staged off-heap. */
    private synchronized void transfer(DeviceBuffer buffer, MemorySegment host, ValueLayout element, int count, boolean toDevice) {
        checkOpen();
        OpenClBuffer own = own(buffer);
        long bytes = (long) count * element.byteSize();
        String callName = toDevice ? "clEnqueueWriteBuffer" : "clEnqueueReadBuffer";
        if (bytes > own.bytes()) {
            throw new IllegalArgumentException(callName + ": " + bytes + " bytes do not fit " + own.what() + " ("
                    + own.bytes() + " bytes)");
        }
        if (bytes == 0) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment staging = arena.allocate(bytes, 8);
            MemorySegment mem = own.mem();
            int status;
            if (toDevice) {
                MemorySegment.copy(host, 0, staging, 0, bytes);
                status = call(callName, () -> (int) cl.clEnqueueWriteBuffer.invokeExact(queue, mem, OpenCl.CL_TRUE, 0L,
                        bytes, staging, 0, MemorySegment.NULL, MemorySegment.NULL));
            } else {
                status = call(callName, () -> (int) cl.clEnqueueReadBuffer.invokeExact(queue, mem, OpenCl.CL_TRUE, 0L,
                        bytes, staging, 0, MemorySegment.NULL, MemorySegment.NULL));
            }
            // A blocking read also waits for every queued kernel, so a failed launch surfaces here.
            check(status, callName, own.what() + ", " + bytes + " bytes; last kernel launched: " + lastKernel);
            if (!toDevice) {
                MemorySegment.copy(staging, 0, host, 0, bytes);
            }
        }
    }

    @Override
    public synchronized Kernel kernel(String source, String function) {
        checkOpen();
        String name = source + "/" + function;
        OpenClKernel cached = kernels.get(name);
        if (cached != null) {
            return cached;
        }
        MemorySegment program = programs.get(source);
        if (program == null) {
            program = build(source, kernelSource(source));
            programs.put(source, program);
        }
        OpenClKernel kernel = createKernel(program, name, function);
        kernels.put(name, kernel);
        return kernel;
    }

    /**
     * Builds {@code text} (a kernel file's contents, after the prelude) as program {@code source} and discards it:
     * the build path of {@link #kernel}, open to tests that need a source that does not compile.
     */
    synchronized void compile(String source, String text) {
        checkOpen();
        releaseProgram(build(source, resource("prelude.h") + "\n" + text));
    }

    private OpenClKernel createKernel(MemorySegment program, String name, String function) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment status = arena.allocate(JAVA_INT);
            MemorySegment fn = arena.allocateFrom(function);
            MemorySegment handle = call("clCreateKernel", () -> (MemorySegment) cl.clCreateKernel.invokeExact(program, fn, status));
            check(status.get(JAVA_INT, 0), "clCreateKernel", "kernel " + name);
            return new OpenClKernel(name, handle, this);
        }
    }

    /** {@code prelude.h} then {@code <source>.cl}, read from the classpath. */
    private static String kernelSource(String source) {
        return resource("prelude.h") + "\n" + resource(source + ".cl");
    }

    private static String resource(String file) {
        try (InputStream in = OpenClDevice.class.getResourceAsStream(KERNELS + file)) {
            if (in == null) {
                throw new DeviceException("kernel source " + KERNELS + file + " is not on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading kernel source " + file, e);
        }
    }

    /** Builds {@code #define FACEGEN_OPENCL} + {@code text}; a failure carries the compiler's log. */
    private MemorySegment build(String source, String text) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment status = arena.allocate(JAVA_INT);
            MemorySegment strings = arena.allocate(ADDRESS);
            strings.set(ADDRESS, 0, arena.allocateFrom("#define FACEGEN_OPENCL\n" + text));
            MemorySegment program = call("clCreateProgramWithSource", () -> (MemorySegment) cl.clCreateProgramWithSource
                    .invokeExact(context, 1, strings, MemorySegment.NULL, status));
            check(status.get(JAVA_INT, 0), "clCreateProgramWithSource", "kernel source " + source);
            MemorySegment devices = arena.allocate(ADDRESS);
            devices.set(ADDRESS, 0, device);
            MemorySegment options = arena.allocateFrom(buildOptions);
            int built = call("clBuildProgram", () -> (int) cl.clBuildProgram.invokeExact(program, 1, devices, options,
                    MemorySegment.NULL, MemorySegment.NULL));
            if (built != OpenCl.CL_SUCCESS) {
                String log = infoString("clGetProgramBuildInfo", (size, value, sizeRet) -> call("clGetProgramBuildInfo",
                        () -> (int) cl.clGetProgramBuildInfo.invokeExact(program, device, OpenCl.CL_PROGRAM_BUILD_LOG,
                                size, value, sizeRet)));
                releaseProgram(program);
                throw new DeviceException("clBuildProgram failed with " + OpenCl.errorName(built) + " (kernel source "
                        + source + ".cl on " + info.name() + "); build log:\n" + log);
            }
            return program;
        }
    }

    private void releaseProgram(MemorySegment program) {
        check(call("clReleaseProgram", () -> (int) cl.clReleaseProgram.invokeExact(program)), "clReleaseProgram", "program");
    }

    @Override
    public synchronized void launch(Kernel kernel, int[] grid, int[] groupSize, Object... args) {
        checkOpen();
        if (!(kernel instanceof OpenClKernel k) || k.device() != this) {
            throw new IllegalArgumentException("kernel " + kernel.name() + " was not compiled by this OpenCL device");
        }
        if (grid.length < 1 || grid.length > 3 || grid.length != groupSize.length) {
            throw new IllegalArgumentException("kernel " + k.name() + ": grid " + Arrays.toString(grid) + " and group "
                    + Arrays.toString(groupSize) + " must both have 1-3 dimensions");
        }
        try (Arena arena = Arena.ofConfined()) {
            for (int i = 0; i < args.length; i++) {
                setArg(arena, k, i, args[i]);
            }
            MemorySegment global = arena.allocate(JAVA_LONG, grid.length);
            MemorySegment local = arena.allocate(JAVA_LONG, grid.length);
            for (int d = 0; d < grid.length; d++) {
                global.setAtIndex(JAVA_LONG, d, (long) grid[d] * groupSize[d]);
                local.setAtIndex(JAVA_LONG, d, groupSize[d]);
            }
            int dims = grid.length;
            int status = call("clEnqueueNDRangeKernel", () -> (int) cl.clEnqueueNDRangeKernel.invokeExact(queue,
                    k.handle(), dims, MemorySegment.NULL, global, local, 0, MemorySegment.NULL, MemorySegment.NULL));
            check(status, "clEnqueueNDRangeKernel", "kernel " + k.name() + ", grid " + Arrays.toString(grid)
                    + " x group " + Arrays.toString(groupSize));
            lastKernel = k.name();
        }
    }

    private void setArg(Arena arena, OpenClKernel k, int index, Object arg) {
        MemorySegment value;
        long size;
        String what;
        switch (arg) {
            case DeviceBuffer b -> {
                value = arena.allocate(ADDRESS);
                value.set(ADDRESS, 0, own(b).mem());
                size = ADDRESS.byteSize();
                what = b.what();
            }
            case Integer i -> {
                value = arena.allocateFrom(JAVA_INT, i);
                size = 4;
                what = "int " + i;
            }
            case Float f -> {
                value = arena.allocateFrom(JAVA_FLOAT, f);
                size = 4;
                what = "float " + f;
            }
            case null, default -> throw new IllegalArgumentException("kernel " + k.name() + ": argument " + index + " is "
                    + (arg == null ? "null" : arg.getClass().getSimpleName()) + "; expected DeviceBuffer, Integer or Float");
        }
        check(call("clSetKernelArg", () -> (int) cl.clSetKernelArg.invokeExact(k.handle(), index, size, value)),
                "clSetKernelArg", "kernel " + k.name() + ", argument " + index + " (" + what + ")");
    }

    @Override
    public synchronized void synchronize() {
        checkOpen();
        check(call("clFinish", () -> (int) cl.clFinish.invokeExact(queue)), "clFinish", "last kernel launched: " + lastKernel);
    }

    private OpenClBuffer own(DeviceBuffer buffer) {
        if (!(buffer instanceof OpenClBuffer b) || b.device() != this) {
            throw new IllegalArgumentException("buffer " + buffer.what() + " does not belong to this OpenCL device");
        }
        return b;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("OpenCL device " + info.name() + " was closed");
        }
    }

    /** Waits for queued work, then releases buffers still alive, kernels, programs, the queue and the context. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        call("clFinish", () -> (int) cl.clFinish.invokeExact(queue));
        for (OpenClBuffer b : new ArrayList<>(liveBuffers.keySet())) {
            b.freeWithDevice();
        }
        for (OpenClKernel k : kernels.values()) {
            call("clReleaseKernel", () -> (int) cl.clReleaseKernel.invokeExact(k.handle()));
        }
        for (MemorySegment p : programs.values()) {
            releaseProgram(p);
        }
        call("clReleaseCommandQueue", () -> (int) cl.clReleaseCommandQueue.invokeExact(queue));
        call("clReleaseContext", () -> (int) cl.clReleaseContext.invokeExact(context));
        closed = true;
    }
}
