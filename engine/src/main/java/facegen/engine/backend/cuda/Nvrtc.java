package facegen.engine.backend.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import facegen.engine.backend.device.DeviceException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The CUDA runtime compiler ({@code libnvrtc.so}, FFM bindings): compiles {@code "#define FACEGEN_CUDA"} +
 * {@code prelude.h} + {@code kernels/<source>.cl} to PTX for the device's compute capability, the same text
 * {@code build-ptx.sh} gives nvcc.
 */
@SuppressWarnings("restricted") // native access is granted by --enable-native-access (see facegen.jvmFlags)
final class Nvrtc implements PtxSource {

    /** Where a search for the library looked and what it found. */
    record Search(Optional<Nvrtc> found, List<String> searched) {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static final String X86_64_TARGET = "targets/x86_64-linux/lib";
    private static final int NVRTC_SUCCESS = 0;

    private final String library;
    private final MethodHandle nvrtcGetErrorString;
    private final MethodHandle nvrtcCreateProgram;
    private final MethodHandle nvrtcCompileProgram;
    private final MethodHandle nvrtcGetProgramLogSize;
    private final MethodHandle nvrtcGetProgramLog;
    private final MethodHandle nvrtcGetPTXSize;
    private final MethodHandle nvrtcGetPTX;
    private final MethodHandle nvrtcDestroyProgram;
    private final String version;
    private final int[] supportedArchs;

    private Nvrtc(String library, SymbolLookup lookup) {
        this.library = library;
        nvrtcGetErrorString = LINKER.downcallHandle(symbol(lookup, "nvrtcGetErrorString"),
                FunctionDescriptor.of(ADDRESS, JAVA_INT));
        nvrtcCreateProgram = bind(lookup, "nvrtcCreateProgram", ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        nvrtcCompileProgram = bind(lookup, "nvrtcCompileProgram", ADDRESS, JAVA_INT, ADDRESS);
        nvrtcGetProgramLogSize = bind(lookup, "nvrtcGetProgramLogSize", ADDRESS, ADDRESS);
        nvrtcGetProgramLog = bind(lookup, "nvrtcGetProgramLog", ADDRESS, ADDRESS);
        nvrtcGetPTXSize = bind(lookup, "nvrtcGetPTXSize", ADDRESS, ADDRESS);
        nvrtcGetPTX = bind(lookup, "nvrtcGetPTX", ADDRESS, ADDRESS);
        nvrtcDestroyProgram = bind(lookup, "nvrtcDestroyProgram", ADDRESS);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment major = arena.allocate(JAVA_INT);
            MemorySegment minor = arena.allocate(JAVA_INT);
            check(CudaDriver.call(bind(lookup, "nvrtcVersion", ADDRESS, ADDRESS), major, minor), "nvrtcVersion", "");
            version = major.get(JAVA_INT, 0) + "." + minor.get(JAVA_INT, 0);
            MemorySegment count = arena.allocate(JAVA_INT);
            check(CudaDriver.call(bind(lookup, "nvrtcGetNumSupportedArchs", ADDRESS), count),
                    "nvrtcGetNumSupportedArchs", "");
            MemorySegment archs = arena.allocate(JAVA_INT, count.get(JAVA_INT, 0));
            check(CudaDriver.call(bind(lookup, "nvrtcGetSupportedArchs", ADDRESS), archs),
                    "nvrtcGetSupportedArchs", "");
            supportedArchs = archs.toArray(JAVA_INT);
        }
    }

    /**
     * Looks for {@code libnvrtc.so*} in {@code $CUDA_HOME}, {@code $CUDA_PATH}, {@code /usr/local/cuda*} (their
     * {@code lib64} and {@code targets/x86_64-linux/lib}), then on the loader's path.
     */
    static Search find() {
        Set<Path> folders = new LinkedHashSet<>();
        for (String variable : List.of("CUDA_HOME", "CUDA_PATH")) {
            String home = System.getenv(variable);
            if (home != null && !home.isBlank()) {
                folders.add(Path.of(home, "lib64"));
                folders.add(Path.of(home, X86_64_TARGET));
            }
        }
        folders.add(Path.of("/usr/local/cuda/lib64"));
        folders.add(Path.of("/usr/local/cuda", X86_64_TARGET));
        try (Stream<Path> versioned = Files.list(Path.of("/usr/local"))) {
            versioned.filter(p -> p.getFileName().toString().startsWith("cuda-")).sorted().forEach(p -> {
                folders.add(p.resolve("lib64"));
                folders.add(p.resolve(X86_64_TARGET));
            });
        } catch (IOException | RuntimeException e) {
            // No /usr/local to list: the fixed folders and the loader path remain.
        }
        List<String> candidates = new ArrayList<>();
        for (Path folder : folders) {
            try (Stream<Path> files = Files.list(folder)) {
                files.map(Path::toString).filter(f -> f.matches(".*/libnvrtc\\.so(\\.[0-9.]+)?")).sorted()
                        .forEach(candidates::add);
            } catch (IOException e) {
                // A folder that does not exist holds no NVRTC.
            }
        }
        candidates.addAll(List.of("libnvrtc.so", "libnvrtc.so.13", "libnvrtc.so.12"));
        for (String candidate : candidates) {
            try {
                return new Search(Optional.of(new Nvrtc(candidate,
                        SymbolLookup.libraryLookup(candidate, Arena.global()))), List.of());
            } catch (IllegalArgumentException | DeviceException e) {
                // Not loadable or too old (no nvrtcGetSupportedArchs): try the next one.
            }
        }
        return new Search(Optional.empty(), folders.stream().map(Path::toString).toList());
    }

    @Override
    public String ptx(String source, int major, int minor) {
        String cl = PtxSource.resource(KERNELS + source + ".cl");
        if (cl == null) {
            throw new DeviceException("no CUDA kernel source " + KERNELS + source + ".cl on the class path");
        }
        String prelude = PtxSource.resource(KERNELS + "prelude.h");
        // #line makes the compiler's messages point into the .cl file rather than the concatenation.
        String text = "#define FACEGEN_CUDA\n" + prelude + "\n#line 1 \"" + source + ".cl\"\n" + cl;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment handle = arena.allocate(ADDRESS);
            check(CudaDriver.call(nvrtcCreateProgram, handle, arena.allocateFrom(text),
                    arena.allocateFrom(source + ".cl"), 0, MemorySegment.NULL, MemorySegment.NULL),
                    "nvrtcCreateProgram", source);
            MemorySegment program = handle.get(ADDRESS, 0);
            try {
                List<String> options = List.of("--gpu-architecture=compute_" + arch(major * 10 + minor));
                MemorySegment optionArray = arena.allocate(ADDRESS, options.size());
                for (int i = 0; i < options.size(); i++) {
                    optionArray.setAtIndex(ADDRESS, i, arena.allocateFrom(options.get(i)));
                }
                int result = CudaDriver.call(nvrtcCompileProgram, program, options.size(), optionArray);
                if (result != NVRTC_SUCCESS) {
                    throw new DeviceException("NVRTC " + version + " could not compile CUDA kernel source " + source
                            + ".cl with " + options + " (nvrtcCompileProgram: " + errorString(result) + "); log:\n"
                            + text(program, "nvrtcGetProgramLog", nvrtcGetProgramLogSize, nvrtcGetProgramLog, source,
                                    arena));
                }
                return text(program, "nvrtcGetPTX", nvrtcGetPTXSize, nvrtcGetPTX, source, arena);
            } finally {
                CudaDriver.call(nvrtcDestroyProgram, handle);
            }
        }
    }

    @Override
    public String describe() {
        return "kernels compiled by NVRTC " + version + " (" + library + ")";
    }

    /** The newest architecture NVRTC supports that is not newer than the device's (PTX runs on newer devices). */
    private int arch(int device) {
        int best = -1;
        for (int arch : supportedArchs) {
            if (arch <= device) {
                best = Math.max(best, arch);
            }
        }
        if (best < 0) {
            throw new DeviceException("NVRTC " + version + " supports no architecture up to the device's compute "
                    + "capability " + device / 10 + "." + device % 10 + " (its oldest is " + supportedArchs[0] + ")");
        }
        return best;
    }

    /** The log or the PTX of {@code program}: a size query, then a fetch of that many bytes. */
    private String text(MemorySegment program, String call, MethodHandle sizeOf, MethodHandle get, String source,
            Arena arena) {
        MemorySegment size = arena.allocate(JAVA_LONG);
        check(CudaDriver.call(sizeOf, program, size), call + "Size", source);
        MemorySegment bytes = arena.allocate(JAVA_BYTE, Math.max(1, size.get(JAVA_LONG, 0)));
        check(CudaDriver.call(get, program, bytes), call, source);
        return bytes.getString(0);
    }

    private void check(int result, String call, String source) {
        if (result != NVRTC_SUCCESS) {
            throw new DeviceException(call + " failed" + (source.isEmpty() ? "" : " for kernel source " + source)
                    + ": " + errorString(result) + " (" + library + ")");
        }
    }

    private String errorString(int result) {
        try {
            return CudaDriver.cString((MemorySegment) nvrtcGetErrorString.invokeExact(result));
        } catch (Throwable t) {
            return "nvrtcResult " + result;
        }
    }

    private static MethodHandle bind(SymbolLookup lookup, String name, MemoryLayout... args) {
        return LINKER.downcallHandle(symbol(lookup, name), FunctionDescriptor.of(JAVA_INT, args));
    }

    private static MemorySegment symbol(SymbolLookup lookup, String name) {
        return lookup.find(name).orElseThrow(() -> new DeviceException("NVRTC library lacks " + name));
    }
}
