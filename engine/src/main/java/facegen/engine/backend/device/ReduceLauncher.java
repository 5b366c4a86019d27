package facegen.engine.backend.device;

import facegen.engine.ops.Op;
import facegen.engine.tensor.Shape;

/**
 * Runs {@link Op.Sum} and {@link Op.Max} as the kernels of {@code reduce.cl}: short windows one work-item per
 * output ({@code reduce_serial}), long ones one work-group per output with a shared-memory tree
 * ({@code reduce_tree}). The order of every sum depends only on the shapes, so results are bit-identical run to run.
 */
final class ReduceLauncher {
    private static final String SOURCE = "reduce";
    /** Windows of at least this many elements use a work-group tree rather than one work-item. */
    static final int TREE_MIN_COUNT = 128;
    /** Group size cap of reduce_tree (its shared array REDUCE_GROUP). */
    static final int TREE_GROUP = 256;

    private final KernelRunner runner;

    ReduceLauncher(KernelRunner runner) {
        this.runner = runner;
    }

    /** y = sum or max of x over {@code op.axes()}; y has {@code out} = x's shape with those axes at extent 1. */
    void reduce(Op.Reduce op, DeviceBuffer x, Shape xShape, DeviceBuffer y, Shape out) {
        boolean[] reduced = new boolean[xShape.rank()];
        for (int axis : op.axes()) {
            reduced[axis] = true;
        }
        int[] strides = xShape.strides();
        int keptCount = 0;
        for (boolean r : reduced) {
            keptCount += r ? 0 : 1;
        }
        int reducedCount = xShape.rank() - keptCount;
        // [kept, keptDims, keptStrides, reduced, reducedDims, reducedStrides], as reduce.cl reads it.
        int[] meta = new int[2 + 2 * xShape.rank()];
        meta[0] = keptCount;
        meta[1 + 2 * keptCount] = reducedCount;
        int k = 0;
        int r = 0;
        int count = 1;
        for (int axis = 0; axis < xShape.rank(); axis++) {
            if (reduced[axis]) {
                meta[2 + 2 * keptCount + r] = xShape.dim(axis);
                meta[2 + 2 * keptCount + reducedCount + r] = strides[axis];
                count *= xShape.dim(axis);
                r++;
            } else {
                meta[1 + k] = xShape.dim(axis);
                meta[1 + keptCount + k] = strides[axis];
                k++;
            }
        }
        int opCode = op instanceof Op.Sum ? 0 : 1;
        float identity = op instanceof Op.Sum ? 0f : Float.NEGATIVE_INFINITY;
        int outputs = out.size();
        DeviceBuffer metaBuffer = runner.meta(meta);
        if (count >= TREE_MIN_COUNT) {
            runner.perGroup(SOURCE, "reduce_tree", outputs, KernelRunner.treeGroupSize(count, TREE_GROUP),
                    y, x, metaBuffer, opCode, identity, outputs, count);
        } else {
            runner.perElement(SOURCE, "reduce_serial", outputs, y, x, metaBuffer, opCode, identity, outputs, count);
        }
    }
}
