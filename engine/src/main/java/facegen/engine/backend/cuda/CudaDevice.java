package facegen.engine.backend.cuda;

import static facegen.engine.backend.cuda.CudaDriver.CUDA_ERROR_INVALID_VALUE;
import static facegen.engine.backend.cuda.CudaDriver.CUDA_ERROR_OUT_OF_MEMORY;
import static facegen.engine.backend.cuda.CudaDriver.CUDA_SUCCESS;
import static facegen.engine.backend.cuda.CudaDriver.call;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import facegen.engine.backend.device.BackendUnavailableException;
import facegen.engine.backend.device.Device;
import facegen.engine.backend.device.DeviceBuffer;
import facegen.engine.backend.device.DeviceException;
import facegen.engine.backend.device.DeviceInfo;
import facegen.engine.backend.device.DeviceOutOfMemoryException;
import facegen.engine.backend.device.Kernel;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One NVIDIA GPU through the CUDA driver API: the device's primary context, the legacy default stream (so launches
 * run in order and copies block until earlier launches finish), kernels compiled from the shared
 * {@code kernels/*.cl} sources by NVRTC or shipped as PTX (see {@link PtxSource}) and cached per device.
 *
 * <p>A driver failure is a {@link DeviceException} naming the call, the CUDA error and the kernel or buffer.
 * A fault inside a kernel (illegal address, launch failure, ...) poisons the CUDA context for the rest of the
 * process: it surfaces at the next call as "CUDA device lost", naming the last kernel launched, and every later
 * call repeats that message.
 */
public final class CudaDevice implements Device {

    /** System property choosing the device by CUDA ordinal (default 0). */
    public static final String DEVICE_PROPERTY = "facegen.cuda.device";

    /** Errors after which the context is unusable (cuda.h: "the process must be terminated and relaunched"). */
    private static final Set<Integer> STICKY_ERRORS = Set.of(
            700, // CUDA_ERROR_ILLEGAL_ADDRESS
            702, // CUDA_ERROR_LAUNCH_TIMEOUT
            710, // CUDA_ERROR_ASSERT
            714, // CUDA_ERROR_HARDWARE_STACK_ERROR
            715, // CUDA_ERROR_ILLEGAL_INSTRUCTION
            716, // CUDA_ERROR_MISALIGNED_ADDRESS
            717, // CUDA_ERROR_INVALID_ADDRESS_SPACE
            718, // CUDA_ERROR_INVALID_PC
            719); // CUDA_ERROR_LAUNCH_FAILED

    private final CudaDriver cu;
    private final int ordinal;
    private final MemorySegment context;
    private final PtxSource ptxSource;
    private final DeviceInfo info;
    private final int major;
    private final int minor;
    private final Map<String, MemorySegment> modules = new ConcurrentHashMap<>();
    private final Map<String, CudaKernel> kernels = new ConcurrentHashMap<>();
    private final Set<CudaBuffer> live = ConcurrentHashMap.newKeySet();
    private volatile String lastKernel = "none yet";
    /** The first sticky error's message; once set, every call repeats it. */
    private volatile String lost;
    private volatile boolean closed;
    /**
     * Buffers come from the stream-ordered allocator when the driver has it (CUDA 11.2+) and the system property
     * {@code facegen.cuda.streamOrderedAlloc} is not {@code false}; else from cuMemAlloc / cuMemFree.
     */
    private final boolean streamOrdered;
    /** The legacy default stream (a null CUstream), on which every launch and copy of this device runs. */
    private static final MemorySegment DEFAULT_STREAM = MemorySegment.NULL;

    private CudaDevice(CudaDriver cu, int ordinal, PtxSource ptxSource) {
        this.cu = cu;
        this.ordinal = ordinal;
        this.ptxSource = ptxSource;
        this.info = describe(cu, ordinal, ptxSource);
        this.streamOrdered = cu.cuMemAllocAsync.isPresent() && cu.cuMemFreeAsync.isPresent()
                && !"false".equals(System.getProperty("facegen.cuda.streamOrderedAlloc"));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ctx = arena.allocate(ADDRESS);
            check(call(cu.cuDevicePrimaryCtxRetain, ctx, ordinal), "cuDevicePrimaryCtxRetain", "device " + ordinal);
            context = ctx.get(ADDRESS, 0);
            major = attribute(cu, ordinal, CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
            minor = attribute(cu, ordinal, CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        }
    }

    /**
     * Every CUDA device the driver sees, with the kernel compiler this machine would use.
     *
     * @throws BackendUnavailableException no driver library, {@code cuInit} failed, or no device
     */
    public static List<DeviceInfo> probe() {
        CudaDriver cu = initialisedDriver();
        PtxSource ptxSource = PtxSource.find();
        List<DeviceInfo> devices = new ArrayList<>();
        for (int i = 0, n = deviceCount(cu); i < n; i++) {
            devices.add(describe(cu, i, ptxSource));
        }
        return devices;
    }

    /**
     * Opens device 0, or the device that system property {@value #DEVICE_PROPERTY} names.
     *
     * @throws BackendUnavailableException no driver, no such device, or a malformed property
     */
    public static CudaDevice open() {
        String property = System.getProperty(DEVICE_PROPERTY, "0");
        int ordinal;
        try {
            ordinal = Integer.parseInt(property.strip());
        } catch (NumberFormatException e) {
            throw new BackendUnavailableException(
                    DEVICE_PROPERTY + "=" + property + " is not a CUDA device number (0, 1, ...)", e);
        }
        return open(ordinal, PtxSource.find());
    }

    /** Opens device {@code ordinal} taking kernels from {@code ptxSource} (tests pin the shipped PTX this way). */
    static CudaDevice open(int ordinal, PtxSource ptxSource) {
        CudaDriver cu = initialisedDriver();
        int count = deviceCount(cu);
        if (ordinal < 0 || ordinal >= count) {
            throw new BackendUnavailableException("no CUDA device " + ordinal + " (" + DEVICE_PROPERTY + "): the "
                    + "driver sees " + count + " device(s), numbered from 0");
        }
        return new CudaDevice(cu, ordinal, ptxSource);
    }

    @Override
    public DeviceInfo info() {
        return info;
    }

    @Override
    public DeviceBuffer allocate(long bytes, String what) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative size " + bytes + " for buffer " + what);
        }
        usable();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pointer = arena.allocate(JAVA_LONG);
            // cuMemAlloc refuses 0 bytes; an empty tensor still needs a distinct, freeable buffer.
            long size = Math.max(bytes, 1L);
            String function = streamOrdered ? "cuMemAllocAsync" : "cuMemAlloc_v2";
            int result = streamOrdered ? call(cu.cuMemAllocAsync.orElseThrow(), pointer, size, DEFAULT_STREAM)
                    : call(cu.cuMemAlloc, pointer, size);
            if (result == CUDA_ERROR_OUT_OF_MEMORY) {
                long[] memory = memoryInfo();
                throw new DeviceOutOfMemoryException("CUDA device " + ordinal + " (" + info.name() + ") is out of "
                        + "memory for buffer " + what + ": asked " + bytes + " bytes (" + mib(bytes) + "), "
                        + mib(memory[0]) + " free of " + mib(memory[1]) + " (" + function + ": "
                        + cu.describe(result) + ")");
            }
            check(result, function, "buffer " + what + " (" + bytes + " bytes)");
            CudaBuffer buffer = new CudaBuffer(pointer.get(JAVA_LONG, 0), bytes, what);
            live.add(buffer);
            return buffer;
        }
    }

    @Override
    public void write(DeviceBuffer dst, float[] src) {
        copyIn(dst, MemorySegment.ofArray(src), (long) src.length * Float.BYTES);
    }

    @Override
    public void write(DeviceBuffer dst, int[] src) {
        copyIn(dst, MemorySegment.ofArray(src), (long) src.length * Integer.BYTES);
    }

    @Override
    public void read(DeviceBuffer src, float[] dst) {
        copyOut(src, MemorySegment.ofArray(dst), (long) dst.length * Float.BYTES);
    }

    @Override
    public void read(DeviceBuffer src, int[] dst) {
        copyOut(src, MemorySegment.ofArray(dst), (long) dst.length * Integer.BYTES);
    }

    @Override
    public Kernel kernel(String source, String function) {
        usable();
        return kernels.computeIfAbsent(source + "/" + function, name -> {
            MemorySegment module = modules.computeIfAbsent(source, this::loadModule);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment handle = arena.allocate(ADDRESS);
                int result = call(cu.cuModuleGetFunction, handle, module, arena.allocateFrom(function));
                check(result, "cuModuleGetFunction", "kernel " + name + " (is " + function + " a KERNEL in "
                        + source + ".cl?)");
                MemorySegment entry = handle.get(ADDRESS, 0);
                return new CudaKernel(name, entry, parameterSizes(entry));
            }
        });
    }

    @Override
    public void launch(Kernel kernel, int[] grid, int[] groupSize, Object... args) {
        if (!(kernel instanceof CudaKernel k) || kernels.get(k.name()) != k) {
            throw new IllegalArgumentException("kernel " + kernel.name() + " was not compiled by this CUDA device");
        }
        if (grid.length != groupSize.length || grid.length < 1 || grid.length > 3) {
            throw new IllegalArgumentException("kernel " + k.name() + ": grid " + Arrays.toString(grid)
                    + " and groupSize " + Arrays.toString(groupSize) + " must have the same 1-3 dimensions");
        }
        int[] blocks = {1, 1, 1};
        int[] threads = {1, 1, 1};
        for (int d = 0; d < grid.length; d++) {
            if (grid[d] < 1 || groupSize[d] < 1) {
                throw new IllegalArgumentException("kernel " + k.name() + ": grid " + Arrays.toString(grid)
                        + " and groupSize " + Arrays.toString(groupSize) + " must be positive");
            }
            blocks[d] = grid[d];
            threads[d] = groupSize[d];
        }
        usable();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = kernelParams(k, args, arena);
            lastKernel = k.name();
            int result = call(cu.cuLaunchKernel, k.function(), blocks[0], blocks[1], blocks[2], threads[0],
                    threads[1], threads[2], 0, DEFAULT_STREAM, params, MemorySegment.NULL);
            check(result, "cuLaunchKernel", "kernel " + k.name() + " grid " + Arrays.toString(grid)
                    + " groupSize " + Arrays.toString(groupSize));
        }
    }

    @Override
    public void synchronize() {
        usable();
        check(call(cu.cuCtxSynchronize), "cuCtxSynchronize", "the wait for queued work");
    }

    /** Frees live buffers and modules and releases the context; after a device loss only the context. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // A poisoned context refuses every call; releasing it is all that is left to do.
        if (lost == null && call(cu.cuCtxSetCurrent, context) == CUDA_SUCCESS) {
            live.forEach(buffer -> buffer.release(false));
            modules.values().forEach(module -> call(cu.cuModuleUnload, module));
        }
        live.clear();
        modules.clear();
        kernels.clear();
        call(cu.cuDevicePrimaryCtxRelease, ordinal);
    }

    /** {@code {free, total}} bytes of device memory, from {@code cuMemGetInfo}. */
    long[] memoryInfo() {
        usable();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment free = arena.allocate(JAVA_LONG);
            MemorySegment total = arena.allocate(JAVA_LONG);
            check(call(cu.cuMemGetInfo, free, total), "cuMemGetInfo_v2", "device " + ordinal);
            return new long[] {free.get(JAVA_LONG, 0), total.get(JAVA_LONG, 0)};
        }
    }

    private void copyIn(DeviceBuffer dst, MemorySegment host, long bytes) {
        CudaBuffer buffer = own(dst, bytes, "write");
        if (bytes > 0) {
            check(call(cu.cuMemcpyHtoD, buffer.pointer(), host, bytes), "cuMemcpyHtoD_v2",
                    "buffer " + buffer.what());
        }
    }

    private void copyOut(DeviceBuffer src, MemorySegment host, long bytes) {
        CudaBuffer buffer = own(src, bytes, "read");
        if (bytes > 0) {
            check(call(cu.cuMemcpyDtoH, host, buffer.pointer(), bytes), "cuMemcpyDtoH_v2",
                    "buffer " + buffer.what());
        }
    }

    /** {@code buffer} as this device's, checked to hold {@code bytes}; binds the context for the copy. */
    private CudaBuffer own(DeviceBuffer buffer, long bytes, String action) {
        if (!(buffer instanceof CudaBuffer b) || b.device() != this) {
            throw new IllegalArgumentException("cannot " + action + " buffer " + buffer.what()
                    + ": it belongs to another device");
        }
        b.pointer();
        if (bytes > b.bytes()) {
            throw new IllegalArgumentException("cannot " + action + " " + bytes + " bytes of buffer " + b.what()
                    + ": it holds " + b.bytes());
        }
        usable();
        return b;
    }

    private MemorySegment loadModule(String source) {
        String ptx = ptxSource.ptx(source, major, minor);
        try (Arena arena = Arena.ofConfined()) {
            long logSize = 16 * 1024;
            MemorySegment log = arena.allocate(JAVA_BYTE, logSize);
            MemorySegment options = arena.allocate(JAVA_INT, 2);
            options.setAtIndex(JAVA_INT, 0, CudaDriver.CU_JIT_ERROR_LOG_BUFFER);
            options.setAtIndex(JAVA_INT, 1, CudaDriver.CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES);
            MemorySegment values = arena.allocate(ADDRESS, 2);
            values.setAtIndex(ADDRESS, 0, log);
            // The driver reads this option's value as an integer stored in the pointer-sized slot.
            values.setAtIndex(ADDRESS, 1, MemorySegment.ofAddress(logSize));
            MemorySegment module = arena.allocate(ADDRESS);
            int result = call(cu.cuModuleLoadDataEx, module, arena.allocateFrom(ptx), 2, options, values);
            String jitLog = log.getString(0).strip();
            check(result, "cuModuleLoadDataEx", "kernel source " + source + " (" + ptxSource.describe() + ")"
                    + (jitLog.isEmpty() ? "" : "; JIT log: " + jitLog));
            return module.get(ADDRESS, 0);
        }
    }

    /** Whether launches of {@code kernel} check their arguments' count and sizes (drivers since CUDA 12.4). */
    boolean checksArguments(Kernel kernel) {
        return ((CudaKernel) kernel).parameterSizes() != null;
    }

    /** Byte size of each parameter of {@code function}, or null when the driver cannot tell (before CUDA 12.4). */
    private int[] parameterSizes(MemorySegment function) {
        if (cu.cuFuncGetParamInfo.isEmpty()) {
            return null;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment offset = arena.allocate(JAVA_LONG);
            MemorySegment size = arena.allocate(JAVA_LONG);
            List<Integer> sizes = new ArrayList<>();
            int result;
            while ((result = call(cu.cuFuncGetParamInfo.get(), function, (long) sizes.size(), offset, size))
                    == CUDA_SUCCESS) {
                sizes.add((int) size.get(JAVA_LONG, 0));
            }
            // Past the last parameter the driver answers CUDA_ERROR_INVALID_VALUE; any other answer means unknown.
            return result == CUDA_ERROR_INVALID_VALUE ? sizes.stream().mapToInt(Integer::intValue).toArray() : null;
        }
    }

    /** The {@code void**} array cuLaunchKernel takes: one pointer to each argument's value. */
    private MemorySegment kernelParams(CudaKernel kernel, Object[] args, Arena arena) {
        int[] expected = kernel.parameterSizes();
        if (expected != null && expected.length != args.length) {
            throw new IllegalArgumentException("kernel " + kernel.name() + " takes " + expected.length
                    + " arguments, got " + args.length);
        }
        MemorySegment params = arena.allocate(ADDRESS, Math.max(1, args.length));
        for (int i = 0; i < args.length; i++) {
            MemorySegment value = switch (args[i]) {
                case CudaBuffer buffer when buffer.device() == this -> arena.allocateFrom(JAVA_LONG, buffer.pointer());
                case Integer n -> arena.allocateFrom(JAVA_INT, n);
                case Float x -> arena.allocateFrom(JAVA_FLOAT, x);
                case DeviceBuffer buffer -> throw new IllegalArgumentException("kernel " + kernel.name()
                        + " argument " + i + ": buffer " + buffer.what() + " belongs to another device");
                case null, default -> throw new IllegalArgumentException("kernel " + kernel.name() + " argument "
                        + i + ": " + (args[i] == null ? "null" : args[i].getClass().getSimpleName())
                        + " is not a DeviceBuffer, Integer or Float");
            };
            if (expected != null && expected[i] != value.byteSize()) {
                throw new IllegalArgumentException("kernel " + kernel.name() + " argument " + i + " is "
                        + expected[i] + " bytes in the kernel, got " + args[i].getClass().getSimpleName() + " ("
                        + value.byteSize() + " bytes)");
            }
            params.setAtIndex(ADDRESS, i, value);
        }
        return params;
    }

    /**
     * Throws unless the device is open and not lost, and makes its context current on this thread: the driver
     * keeps the current context per OS thread, and setting it is far cheaper than the call it precedes, so every
     * operation binds rather than tracking which threads (pool, virtual-thread carriers) have it.
     */
    private void usable() {
        if (closed) {
            throw new IllegalStateException("CUDA device " + ordinal + " (" + info.name() + ") is closed");
        }
        if (lost != null) {
            throw new DeviceException(lost);
        }
        check(call(cu.cuCtxSetCurrent, context), "cuCtxSetCurrent", "device " + ordinal);
    }

    private void check(int result, String call, String subject) {
        if (result == CUDA_SUCCESS) {
            return;
        }
        if (STICKY_ERRORS.contains(result)) {
            lost = "CUDA device lost: " + call + " returned " + cu.describe(result) + " after kernel "
                    + lastKernel + " (the last one launched), during " + subject + "; the CUDA context of device "
                    + ordinal + " is unusable until the process restarts";
            throw new DeviceException(lost);
        }
        throw new DeviceException(call + " failed for " + subject + " on CUDA device " + ordinal + ": "
                + cu.describe(result));
    }

    private static CudaDriver initialisedDriver() {
        CudaDriver cu = CudaDriver.load();
        int result = call(cu.cuInit, 0);
        if (result != CUDA_SUCCESS) {
            throw new BackendUnavailableException("CUDA driver " + CudaDriver.LIBRARY + " found but cuInit failed: "
                    + cu.describe(result) + " (check nvidia-smi, that the driver matches the kernel module, and "
                    + "CUDA_VISIBLE_DEVICES)");
        }
        return cu;
    }

    private static int deviceCount(CudaDriver cu) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(JAVA_INT);
            int result = call(cu.cuDeviceGetCount, count);
            if (result != CUDA_SUCCESS || count.get(JAVA_INT, 0) == 0) {
                throw new BackendUnavailableException("no CUDA device: the driver sees none ("
                        + (result == CUDA_SUCCESS ? "cuDeviceGetCount = 0" : cu.describe(result))
                        + "; check nvidia-smi and CUDA_VISIBLE_DEVICES)");
            }
            return count.get(JAVA_INT, 0);
        }
    }

    private static DeviceInfo describe(CudaDriver cu, int ordinal, PtxSource ptxSource) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocate(JAVA_BYTE, 256);
            MemorySegment value = arena.allocate(JAVA_LONG);
            requireSuccess(cu, call(cu.cuDeviceGetName, name, 256, ordinal), "cuDeviceGetName", ordinal);
            requireSuccess(cu, call(cu.cuDeviceTotalMem, value, ordinal), "cuDeviceTotalMem_v2", ordinal);
            long memory = value.get(JAVA_LONG, 0);
            requireSuccess(cu, call(cu.cuDriverGetVersion, value), "cuDriverGetVersion", ordinal);
            int version = value.get(JAVA_INT, 0);
            String detail = "compute capability "
                    + attribute(cu, ordinal, CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR) + "."
                    + attribute(cu, ordinal, CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR)
                    + ", CUDA driver API " + version / 1000 + "." + version % 1000 / 10 + kernelModuleVersion()
                    + ", " + ptxSource.describe();
            return new DeviceInfo("cuda", name.getString(0), memory,
                    attribute(cu, ordinal, CudaDriver.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT), detail);
        }
    }

    private static int attribute(CudaDriver cu, int ordinal, int attribute) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_INT);
            requireSuccess(cu, call(cu.cuDeviceGetAttribute, value, attribute, ordinal), "cuDeviceGetAttribute",
                    ordinal);
            return value.get(JAVA_INT, 0);
        }
    }

    private static void requireSuccess(CudaDriver cu, int result, String call, int ordinal) {
        if (result != CUDA_SUCCESS) {
            throw new DeviceException(call + " failed for CUDA device " + ordinal + ": " + cu.describe(result));
        }
    }

    /** {@code " (NVIDIA kernel driver 580.95.05)"} from procfs, or "" where it cannot be read (containers). */
    private static String kernelModuleVersion() {
        try {
            // "NVIDIA UNIX x86_64 Kernel Module  580.95.05" or "... Open Kernel Module for x86_64  580.95.05"
            Matcher m = Pattern.compile("Kernel Module.*?\\s(\\d+\\.\\d+(?:\\.\\d+)?)\\s")
                    .matcher(Files.readString(Path.of("/proc/driver/nvidia/version")));
            return m.find() ? " (NVIDIA kernel driver " + m.group(1) + ")" : "";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
    }

    /** A function of a loaded module; {@code parameterSizes} is null when the driver cannot list them. */
    private record CudaKernel(String name, MemorySegment function, int[] parameterSizes) implements Kernel {}

    /** Device memory at {@code address}; freed once, by {@link #free()} or by closing the device. */
    private final class CudaBuffer implements DeviceBuffer {

        private final long address;
        private final long bytes;
        private final String what;
        private final AtomicBoolean freed = new AtomicBoolean();

        CudaBuffer(long address, long bytes, String what) {
            this.address = address;
            this.bytes = bytes;
            this.what = what;
        }

        @Override
        public long bytes() {
            return bytes;
        }

        @Override
        public String what() {
            return what;
        }

        @Override
        public void free() {
            release(true);
        }

        CudaDevice device() {
            return CudaDevice.this;
        }

        /** The device address; an {@link IllegalStateException} once freed. */
        long pointer() {
            if (freed.get()) {
                throw new IllegalStateException("CUDA buffer " + what + " is already freed");
            }
            return address;
        }

        /** Returns the memory; {@code checked}: report driver errors (not while the device closes). */
        void release(boolean checked) {
            if (!freed.compareAndSet(false, true)) {
                if (closed) {
                    return; // closing the device freed it; the owner's own free() comes later and is fine
                }
                throw new IllegalStateException("CUDA buffer " + what + " is already freed");
            }
            live.remove(this);
            if (checked) {
                usable();
            }
            int result = streamOrdered ? call(cu.cuMemFreeAsync.orElseThrow(), address, DEFAULT_STREAM)
                    : call(cu.cuMemFree, address);
            if (checked) {
                check(result, streamOrdered ? "cuMemFreeAsync" : "cuMemFree_v2", "buffer " + what);
            }
        }
    }
}
