package facegen.engine.backend.cuda;

import facegen.engine.backend.device.DeviceException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Where a {@link CudaDevice} gets the PTX of a kernel source {@code kernels/<source>.cl}: compiled at run time by
 * {@link Nvrtc}, shipped in the jar by the build ({@link ShippedPtx}), or neither ({@link NoCompiler}).
 */
sealed interface PtxSource permits Nvrtc, ShippedPtx, PtxSource.NoCompiler {

    /** Class-path folder of the kernel sources shared with OpenCL. */
    String KERNELS = "facegen/engine/kernels/";

    /**
     * The PTX text of kernel source {@code source} for a device of compute capability {@code major.minor}.
     *
     * @throws DeviceException when it cannot be had (compile log or the missing resource in the message)
     */
    String ptx(String source, int major, int minor);

    /** Where kernels come from, for {@link facegen.engine.backend.device.DeviceInfo#detail()}. */
    String describe();

    /** NVRTC when the library can be found, else the build's PTX when the jar has it, else {@link NoCompiler}. */
    static PtxSource find() {
        Nvrtc.Search nvrtc = Nvrtc.find();
        if (nvrtc.found().isPresent()) {
            return nvrtc.found().get();
        }
        return ShippedPtx.find().<PtxSource>map(shipped -> shipped).orElseGet(() -> new NoCompiler(
                "no CUDA kernel compiler: NVRTC (libnvrtc.so) not found (looked in " + nvrtc.searched()
                        + " and the loader path; set CUDA_HOME or install the CUDA toolkit's NVRTC) and this"
                        + " build ships no PTX (it was built where nvcc was not on the PATH)"));
    }

    /** The text of class-path resource {@code path}, or null when there is none. */
    static String resource(String path) {
        try (InputStream in = PtxSource.class.getClassLoader().getResourceAsStream(path)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read class-path resource " + path, e);
        }
    }

    /** No way to get PTX on this machine; every kernel request fails with {@code reason}. */
    record NoCompiler(String reason) implements PtxSource {

        @Override
        public String ptx(String source, int major, int minor) {
            throw new DeviceException("cannot build CUDA kernel source " + source + ": " + reason);
        }

        @Override
        public String describe() {
            return reason;
        }
    }
}
