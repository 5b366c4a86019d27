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

    /**
     * Strides that read {@code in} at each position of {@code out} under NumPy broadcasting: the row-major strides
     * of {@code in} aligned at the last axis, 0 where {@code in} has extent 1 or lacks the axis.
     */
    static int[] broadcast(Shape in, Shape out) {
        int[] own = in.strides();
        int[] strides = new int[out.rank()];
        int lead = out.rank() - in.rank();
        for (int k = 0; k < in.rank(); k++) {
            strides[lead + k] = in.dim(k) == 1 ? 0 : own[k];
        }
        return strides;
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
