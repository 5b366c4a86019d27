package facegen.engine.backend.opencl;

import facegen.engine.backend.device.BackendUnavailableException;
import facegen.engine.backend.device.DeviceException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Map;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Hand-written FFM downcalls into the OpenCL 1.2 C API of the system ICD loader {@code libOpenCL.so.1}: exactly the
 * calls {@link OpenClDevice} makes, each returning the driver's status, which {@link #check} turns into a
 * {@link DeviceException} naming the call, the error's name (CL_OUT_OF_RESOURCES, ...) and what was involved.
 *
 * <p>C types map as: {@code cl_int}, {@code cl_uint}, {@code cl_bool} and info enums to int; {@code size_t},
 * {@code cl_bitfield} (device type, memory flags, queue properties) to long; handles and pointers to addresses.
 */
final class OpenCl {

    /** The loader's file name, as the Khronos ICD loader installs it. */
    static final String LIBRARY = "libOpenCL.so.1";

    static final int CL_SUCCESS = 0;
    static final int CL_PLATFORM_NOT_FOUND_KHR = -1001;
    static final long CL_DEVICE_TYPE_GPU = 1L << 2;
    static final long CL_DEVICE_TYPE_ALL = 0xFFFFFFFFL;
    static final int CL_PLATFORM_VERSION = 0x0901;
    static final int CL_PLATFORM_NAME = 0x0902;
    static final int CL_DEVICE_TYPE = 0x1000;
    static final int CL_DEVICE_MAX_COMPUTE_UNITS = 0x1002;
    static final int CL_DEVICE_MAX_MEM_ALLOC_SIZE = 0x1010;
    static final int CL_DEVICE_SINGLE_FP_CONFIG = 0x101B;
    static final int CL_DEVICE_GLOBAL_MEM_SIZE = 0x101F;
    static final int CL_DEVICE_NAME = 0x102B;
    static final int CL_DRIVER_VERSION = 0x102D;
    static final int CL_DEVICE_VERSION = 0x102F;
    static final long CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT = 1L << 7;
    static final long CL_MEM_READ_WRITE = 1L;
    static final int CL_PROGRAM_BUILD_LOG = 0x1183;
    static final int CL_TRUE = 1;

    private static final Map<Integer, String> ERROR_NAMES = Map.ofEntries(
            Map.entry(-1, "CL_DEVICE_NOT_FOUND"), Map.entry(-2, "CL_DEVICE_NOT_AVAILABLE"),
            Map.entry(-3, "CL_COMPILER_NOT_AVAILABLE"), Map.entry(-4, "CL_MEM_OBJECT_ALLOCATION_FAILURE"),
            Map.entry(-5, "CL_OUT_OF_RESOURCES"), Map.entry(-6, "CL_OUT_OF_HOST_MEMORY"),
            Map.entry(-7, "CL_PROFILING_INFO_NOT_AVAILABLE"), Map.entry(-8, "CL_MEM_COPY_OVERLAP"),
            Map.entry(-11, "CL_BUILD_PROGRAM_FAILURE"), Map.entry(-12, "CL_MAP_FAILURE"),
            Map.entry(-14, "CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST"), Map.entry(-30, "CL_INVALID_VALUE"),
            Map.entry(-31, "CL_INVALID_DEVICE_TYPE"), Map.entry(-32, "CL_INVALID_PLATFORM"),
            Map.entry(-33, "CL_INVALID_DEVICE"), Map.entry(-34, "CL_INVALID_CONTEXT"),
            Map.entry(-35, "CL_INVALID_QUEUE_PROPERTIES"), Map.entry(-36, "CL_INVALID_COMMAND_QUEUE"),
            Map.entry(-37, "CL_INVALID_HOST_PTR"), Map.entry(-38, "CL_INVALID_MEM_OBJECT"),
            Map.entry(-42, "CL_INVALID_BINARY"), Map.entry(-43, "CL_INVALID_BUILD_OPTIONS"),
            Map.entry(-44, "CL_INVALID_PROGRAM"), Map.entry(-45, "CL_INVALID_PROGRAM_EXECUTABLE"),
            Map.entry(-46, "CL_INVALID_KERNEL_NAME"), Map.entry(-47, "CL_INVALID_KERNEL_DEFINITION"),
            Map.entry(-48, "CL_INVALID_KERNEL"), Map.entry(-49, "CL_INVALID_ARG_INDEX"),
            Map.entry(-50, "CL_INVALID_ARG_VALUE"), Map.entry(-51, "CL_INVALID_ARG_SIZE"),
            Map.entry(-52, "CL_INVALID_KERNEL_ARGS"), Map.entry(-53, "CL_INVALID_WORK_DIMENSION"),
            Map.entry(-54, "CL_INVALID_WORK_GROUP_SIZE"), Map.entry(-55, "CL_INVALID_WORK_ITEM_SIZE"),
            Map.entry(-56, "CL_INVALID_GLOBAL_OFFSET"), Map.entry(-57, "CL_INVALID_EVENT_WAIT_LIST"),
            Map.entry(-58, "CL_INVALID_EVENT"), Map.entry(-59, "CL_INVALID_OPERATION"),
            Map.entry(-61, "CL_INVALID_BUFFER_SIZE"), Map.entry(-63, "CL_INVALID_GLOBAL_WORK_SIZE"),
            Map.entry(-64, "CL_INVALID_PROPERTY"), Map.entry(CL_PLATFORM_NOT_FOUND_KHR, "CL_PLATFORM_NOT_FOUND_KHR"));

    final MethodHandle clGetPlatformIDs;
    final MethodHandle clGetPlatformInfo;
    final MethodHandle clGetDeviceIDs;
    final MethodHandle clGetDeviceInfo;
    final MethodHandle clCreateContext;
    final MethodHandle clCreateCommandQueue;
    final MethodHandle clCreateBuffer;
    final MethodHandle clReleaseMemObject;
    final MethodHandle clEnqueueWriteBuffer;
    final MethodHandle clEnqueueReadBuffer;
    final MethodHandle clCreateProgramWithSource;
    final MethodHandle clBuildProgram;
    final MethodHandle clGetProgramBuildInfo;
    final MethodHandle clCreateKernel;
    final MethodHandle clSetKernelArg;
    final MethodHandle clEnqueueNDRangeKernel;
    final MethodHandle clFinish;
    final MethodHandle clReleaseKernel;
    final MethodHandle clReleaseProgram;
    final MethodHandle clReleaseCommandQueue;
    final MethodHandle clReleaseContext;

    private OpenCl(SymbolLookup lib) {
        Linker linker = Linker.nativeLinker();
        // cl_int f(...) and cl_handle f(..., cl_int* errcode) are the two shapes of every call below.
        clGetPlatformIDs = bind(linker, lib, "clGetPlatformIDs", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
        clGetPlatformInfo = bind(linker, lib, "clGetPlatformInfo", JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS);
        clGetDeviceIDs = bind(linker, lib, "clGetDeviceIDs", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS);
        clGetDeviceInfo = bind(linker, lib, "clGetDeviceInfo", JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS);
        clCreateContext = bind(linker, lib, "clCreateContext", ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
        clCreateCommandQueue = bind(linker, lib, "clCreateCommandQueue", ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
        clCreateBuffer = bind(linker, lib, "clCreateBuffer", ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS);
        clReleaseMemObject = bind(linker, lib, "clReleaseMemObject", JAVA_INT, ADDRESS);
        clEnqueueWriteBuffer = bind(linker, lib, "clEnqueueWriteBuffer", JAVA_INT,
                ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        clEnqueueReadBuffer = bind(linker, lib, "clEnqueueReadBuffer", JAVA_INT,
                ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        clCreateProgramWithSource = bind(linker, lib, "clCreateProgramWithSource", ADDRESS,
                ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
        clBuildProgram = bind(linker, lib, "clBuildProgram", JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
        clGetProgramBuildInfo = bind(linker, lib, "clGetProgramBuildInfo", JAVA_INT,
                ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS);
        clCreateKernel = bind(linker, lib, "clCreateKernel", ADDRESS, ADDRESS, ADDRESS, ADDRESS);
        clSetKernelArg = bind(linker, lib, "clSetKernelArg", JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS);
        clEnqueueNDRangeKernel = bind(linker, lib, "clEnqueueNDRangeKernel", JAVA_INT,
                ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        clFinish = bind(linker, lib, "clFinish", JAVA_INT, ADDRESS);
        clReleaseKernel = bind(linker, lib, "clReleaseKernel", JAVA_INT, ADDRESS);
        clReleaseProgram = bind(linker, lib, "clReleaseProgram", JAVA_INT, ADDRESS);
        clReleaseCommandQueue = bind(linker, lib, "clReleaseCommandQueue", JAVA_INT, ADDRESS);
        clReleaseContext = bind(linker, lib, "clReleaseContext", JAVA_INT, ADDRESS);
    }

    /**
     * Binds the loader; a machine without one gets a {@link BackendUnavailableException} saying how to install one.
     */
    static OpenCl load() {
        SymbolLookup lib;
        try {
            lib = SymbolLookup.libraryLookup(LIBRARY, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new BackendUnavailableException("OpenCL is not available: " + LIBRARY + " was not found; install an"
                    + " OpenCL ICD, e.g. apt-get install pocl-opencl-icd (CPU) or your GPU vendor's OpenCL driver", e);
        }
        return new OpenCl(lib);
    }

    private static MethodHandle bind(Linker linker, SymbolLookup lib, String name, ValueLayout result, ValueLayout... args) {
        MemorySegment symbol = lib.find(name).orElseThrow(() -> new BackendUnavailableException(
                LIBRARY + " lacks " + name + " (an OpenCL 1.2 loader is required)"));
        return linker.downcallHandle(symbol, FunctionDescriptor.of(result, args));
    }

    /** The CL_... name of status {@code code}, or the number when it is not a standard code. */
    static String errorName(int code) {
        return ERROR_NAMES.getOrDefault(code, "CL error " + code);
    }

    /** Throws a {@link DeviceException} naming {@code call}, the error and {@code what} unless {@code status} is CL_SUCCESS. */
    static void check(int status, String call, String what) {
        if (status != CL_SUCCESS) {
            throw new DeviceException(call + " failed with " + errorName(status) + " (" + what + ")");
        }
    }

    /** A downcall returning a status or handle; {@code invokeExact} declares Throwable, which {@link #call} narrows. */
    @FunctionalInterface
    interface Downcall<T> {
        T run() throws Throwable;
    }

    /**
     * Runs one downcall. The handles' types are fixed, so Throwable here means a JVM error (rethrown) or a
     * mismatch in this file (a DeviceException naming the call).
     */
    static <T> T call(String name, Downcall<T> downcall) {
        try {
            return downcall.run();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new DeviceException(name + " could not be called: " + t, t);
        }
    }
}
