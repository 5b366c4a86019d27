package facegen.engine.backend.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import facegen.engine.backend.device.BackendUnavailableException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Downcall handles for the CUDA driver API in {@code libcuda.so.1} (hand-written FFM bindings; every call returns a
 * {@code CUresult}, 0 = success). Where {@code cuda.h} maps a name onto a {@code _v2} symbol (64-bit sizes and
 * pointers), the {@code _v2} symbol is bound, since that is what a C program compiled against the header calls.
 */
@SuppressWarnings("restricted") // native access is granted by --enable-native-access (see facegen.jvmFlags)
final class CudaDriver {

    static final String LIBRARY = "libcuda.so.1";
    static final int CUDA_SUCCESS = 0;
    static final int CUDA_ERROR_INVALID_VALUE = 1;
    static final int CUDA_ERROR_OUT_OF_MEMORY = 2;
    static final int CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16;
    static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
    static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
    static final int CU_JIT_ERROR_LOG_BUFFER = 5;
    static final int CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6;

    private static final Linker LINKER = Linker.nativeLinker();

    final MethodHandle cuInit;
    final MethodHandle cuDriverGetVersion;
    final MethodHandle cuGetErrorName;
    final MethodHandle cuGetErrorString;
    final MethodHandle cuDeviceGetCount;
    final MethodHandle cuDeviceGet;
    final MethodHandle cuDeviceGetName;
    final MethodHandle cuDeviceGetAttribute;
    final MethodHandle cuDeviceTotalMem;
    final MethodHandle cuDevicePrimaryCtxRetain;
    final MethodHandle cuDevicePrimaryCtxRelease;
    final MethodHandle cuCtxSetCurrent;
    final MethodHandle cuCtxSynchronize;
    final MethodHandle cuModuleLoadDataEx;
    final MethodHandle cuModuleUnload;
    final MethodHandle cuModuleGetFunction;
    /** Absent before CUDA 12.4; then argument lists are not checked before a launch. */
    final Optional<MethodHandle> cuFuncGetParamInfo;
    final MethodHandle cuLaunchKernel;
    final MethodHandle cuMemAlloc;
    final MethodHandle cuMemFree;
    /**
     * The stream-ordered allocator (CUDA 11.2+): frees queue behind the kernels that still read the buffer instead
     * of waiting for the whole device as cuMemFree does, so releasing a tensor never stalls the queue.
     */
    final Optional<MethodHandle> cuMemAllocAsync;
    final Optional<MethodHandle> cuMemFreeAsync;
    final MethodHandle cuMemcpyHtoD;
    final MethodHandle cuMemcpyDtoH;
    final MethodHandle cuMemGetInfo;

    private final SymbolLookup library;

    private CudaDriver(SymbolLookup library) {
        this.library = library;
        cuInit = bind("cuInit", JAVA_INT);
        cuDriverGetVersion = bind("cuDriverGetVersion", ADDRESS);
        cuGetErrorName = bind("cuGetErrorName", JAVA_INT, ADDRESS);
        cuGetErrorString = bind("cuGetErrorString", JAVA_INT, ADDRESS);
        cuDeviceGetCount = bind("cuDeviceGetCount", ADDRESS);
        cuDeviceGet = bind("cuDeviceGet", ADDRESS, JAVA_INT);
        cuDeviceGetName = bind("cuDeviceGetName", ADDRESS, JAVA_INT, JAVA_INT);
        cuDeviceGetAttribute = bind("cuDeviceGetAttribute", ADDRESS, JAVA_INT, JAVA_INT);
        cuDeviceTotalMem = bind("cuDeviceTotalMem_v2", ADDRESS, JAVA_INT);
        cuDevicePrimaryCtxRetain = bind("cuDevicePrimaryCtxRetain", ADDRESS, JAVA_INT);
        cuDevicePrimaryCtxRelease = bind("cuDevicePrimaryCtxRelease_v2", JAVA_INT);
        cuCtxSetCurrent = bind("cuCtxSetCurrent", ADDRESS);
        // cuCtxSynchronize_v2 (CUDA 12.9+) takes a context argument: the current-context form runs on every driver.
        cuCtxSynchronize = bind("cuCtxSynchronize");
        cuModuleLoadDataEx = bind("cuModuleLoadDataEx", ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        cuModuleUnload = bind("cuModuleUnload", ADDRESS);
        cuModuleGetFunction = bind("cuModuleGetFunction", ADDRESS, ADDRESS, ADDRESS);
        cuFuncGetParamInfo = library.find("cuFuncGetParamInfo").map(symbol -> LINKER.downcallHandle(
                symbol, FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS)));
        cuLaunchKernel = bind("cuLaunchKernel", ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
        cuMemAlloc = bind("cuMemAlloc_v2", ADDRESS, JAVA_LONG);
        cuMemFree = bind("cuMemFree_v2", JAVA_LONG);
        cuMemAllocAsync = library.find("cuMemAllocAsync").map(symbol -> LINKER.downcallHandle(
                symbol, FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS)));
        cuMemFreeAsync = library.find("cuMemFreeAsync").map(symbol -> LINKER.downcallHandle(
                symbol, FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS)));
        // Copies read and write Java arrays in place (heap access), sparing a staging copy of every tensor.
        cuMemcpyHtoD = bindCritical("cuMemcpyHtoD_v2", JAVA_LONG, ADDRESS, JAVA_LONG);
        cuMemcpyDtoH = bindCritical("cuMemcpyDtoH_v2", ADDRESS, JAVA_LONG, JAVA_LONG);
        cuMemGetInfo = bind("cuMemGetInfo_v2", ADDRESS, ADDRESS);
    }

    /**
     * Loads {@code libcuda.so.1} through the system loader.
     *
     * @throws BackendUnavailableException when the library or one of its symbols is missing
     */
    static CudaDriver load() {
        SymbolLookup library;
        try {
            library = SymbolLookup.libraryLookup(LIBRARY, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new BackendUnavailableException(
                    "no CUDA driver: " + LIBRARY + " not found (install the NVIDIA driver)", e);
        }
        return new CudaDriver(library);
    }

    /** Calls {@code function} with {@code args} and returns its {@code CUresult}. */
    static int call(MethodHandle function, Object... args) {
        try {
            return (int) function.invokeWithArguments(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("CUDA driver call failed in the Java bridge", t);
        }
    }

    /** {@code CUDA_ERROR_X (the driver's sentence)} for a {@code CUresult}. */
    String describe(int result) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment text = arena.allocate(ADDRESS);
            String name = call(cuGetErrorName, result, text) == CUDA_SUCCESS
                    ? cString(text.get(ADDRESS, 0)) : "CUresult " + result;
            String sentence = call(cuGetErrorString, result, text) == CUDA_SUCCESS
                    ? cString(text.get(ADDRESS, 0)) : "unknown error";
            return name + " (" + sentence + ")";
        }
    }

    /** The NUL-terminated string at {@code address} (driver-owned, never freed). */
    static String cString(MemorySegment address) {
        return address.reinterpret(Long.MAX_VALUE).getString(0);
    }

    private MethodHandle bind(String name, MemoryLayout... args) {
        return LINKER.downcallHandle(symbol(name), FunctionDescriptor.of(JAVA_INT, args));
    }

    private MethodHandle bindCritical(String name, MemoryLayout... args) {
        return LINKER.downcallHandle(symbol(name), FunctionDescriptor.of(JAVA_INT, args),
                Linker.Option.critical(true));
    }

    private MemorySegment symbol(String name) {
        return library.find(name).orElseThrow(() -> new BackendUnavailableException(
                "CUDA driver too old: " + LIBRARY + " has no " + name + " (update the NVIDIA driver)"));
    }
}
