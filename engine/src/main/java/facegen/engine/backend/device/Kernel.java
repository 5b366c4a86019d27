package facegen.engine.backend.device;

/** A compiled kernel function of one device, as returned by {@link Device#kernel}. */
public interface Kernel {

    /** {@code source/function}, for error messages and profiles. */
    String name();
}
