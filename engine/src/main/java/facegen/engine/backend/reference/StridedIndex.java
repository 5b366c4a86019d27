package facegen.engine.backend.reference;

/**
 * Index arithmetic behind every movement and broadcasting kernel: a tensor read (or written) through strides.
 *
 * <p>A row-major position {@code flat} in a shape {@code dims} has coordinates (i_0, ..., i_{r-1}); reading another
 * tensor at {@code offset = base + sum_k i_k * strides[k]} expresses broadcasting (stride 0), permutation (permuted
 * strides), slicing (strides times steps), flipping (negative strides) and reduction (broadcasting run backwards).
 */
final class StridedIndex {

    private StridedIndex() {}

    /** offset = sum_k i_k * strides[k], where (i_0, ..., i_{r-1}) is the row-major position {@code flat} in {@code dims}. */
    static int offset(int flat, int[] dims, int[] strides) {
        int offset = 0;
        for (int k = dims.length - 1; k >= 0; k--) {
            offset += (flat % dims[k]) * strides[k];
            flat /= dims[k];
        }
        return offset;
    }
}
