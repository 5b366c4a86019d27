package facegen.engine.backend.cuda;

import facegen.engine.backend.device.DeviceException;
import java.util.Optional;

/**
 * PTX that {@code engine/src/main/cuda/build-ptx.sh} compiled with {@code nvcc -ptx -arch=compute_80} at build
 * time, one {@code kernels/ptx/<source>.ptx} resource per kernel source, beside {@code compiler.txt} naming nvcc.
 *
 * @param compiler the nvcc that built it, e.g. {@code nvcc 13.0.88}
 */
record ShippedPtx(String compiler) implements PtxSource {

    static final String FOLDER = KERNELS + "ptx/";

    /** The build's PTX, when this jar was built with nvcc. */
    static Optional<ShippedPtx> find() {
        return Optional.ofNullable(PtxSource.resource(FOLDER + "compiler.txt"))
                .map(text -> new ShippedPtx(text.strip()));
    }

    @Override
    public String ptx(String source, int major, int minor) {
        if (major < 8) {
            throw new DeviceException("CUDA kernel source " + source + ": the shipped PTX targets compute capability"
                    + " 8.0 and newer, this device is " + major + "." + minor + " (install NVRTC to compile for it)");
        }
        String ptx = PtxSource.resource(FOLDER + source + ".ptx");
        if (ptx == null) {
            throw new DeviceException("CUDA kernel source " + source + ": no shipped PTX " + FOLDER + source
                    + ".ptx (is kernels/" + source + ".cl new since the build? rebuild, or install NVRTC)");
        }
        return ptx;
    }

    @Override
    public String describe() {
        return "kernels from PTX built by " + compiler + " at build time";
    }
}
