package facegen.engine.backend.device;

import facegen.engine.tensor.Shape;

/**
 * The index metadata the strided kernels read: {@code [rank, dims[rank], strides_0[rank], strides_1[rank], ...]},
 * meaning element i of a tensor with {@code dims} sits at {@code base + sum_k i_k strides_t[k]} in operand t.
 *
 * <p>Strides express every movement primitive and broadcasting (as in the reference backend's StridedIndex):
 * 0 repeats an axis (expand, broadcasting), a permuted list permutes, a multiplied stride slices with a step and a
 * negative one flips.
 */
final class StridedView {

    private StridedView() {}

    /** {@code [rank, dims, strides...]} for the kernels' {@code meta} argument. */
    static int[] meta(Shape shape, int[]... strides) {
        int rank = shape.rank();
        int[] meta = new int[1 + rank * (1 + strides.length)];
        meta[0] = rank;
        System.arraycopy(shape.dims(), 0, meta, 1, rank);
        for (int t = 0; t < strides.length; t++) {
            System.arraycopy(strides[t], 0, meta, 1 + rank * (1 + t), rank);
        }
        return meta;
    }

    /** sum_k coords[k] strides[k]: the offset of one element. */
    static int offset(int[] coords, int[] strides) {
        int offset = 0;
        for (int k = 0; k < coords.length; k++) {
            offset += coords[k] * strides[k];
        }
        return offset;
    }
}
