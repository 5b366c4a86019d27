package facegen.nn;

import facegen.engine.tensor.Tensor;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Shape checks on layer inputs, as stylegan2-ada's misc.assert_shape: fail fast with both shapes in the message. */
public final class Shapes {

    /** Marks an extent that may take any value. */
    public static final int ANY = -1;

    private Shapes() {}

    /**
     * Checks that {@code t} has rank {@code dims.length} and extent {@code dims[i]} on each axis where
     * {@code dims[i] != ANY}.
     *
     * @param what names the tensor in the message ("modulatedConv2d: x")
     * @throws IllegalArgumentException "what: expected [N, 8, *, *] ..., got [4, 6, 8, 8]"
     */
    public static void require(String what, Tensor t, int... dims) {
        boolean ok = t.rank() == dims.length;
        for (int i = 0; ok && i < dims.length; i++) {
            ok = dims[i] == ANY || dims[i] == t.dim(i);
        }
        if (!ok) {
            String expected = Arrays.stream(dims).mapToObj(d -> d == ANY ? "*" : Integer.toString(d))
                    .collect(Collectors.joining(", ", "[", "]"));
            throw new IllegalArgumentException(what + ": expected " + expected + ", got " + t.shape());
        }
    }
}
