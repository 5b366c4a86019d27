package facegen.engine.backend.cpu;

import facegen.engine.ops.Op;
import facegen.engine.tensor.Shape;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The data-movement primitives over float32 arrays: {@link Op.Permute}, {@link Op.Expand}, {@link Op.Slice},
 * {@link Op.Flip} (reads through strides), {@link Op.Pad}, {@link Op.Concat} (writes through strides),
 * {@link Op.Where}, {@link Op.Max}, {@link Op.IndexSelect} and {@link Op.IndexAdd}.
 *
 * <p>Every strided primitive is a walk over {@link Rows}: the index space with axes of extent 1 dropped and
 * neighbours merged wherever every operand steps through them as one axis, so a slice of whole rows is one long
 * row, and each row of the innermost axis is one {@link System#arraycopy}, fill or strided loop. A transpose of
 * the last two axes (input stride 1 on the second-last output axis) goes through {@link #TILE}-square blocks so
 * that neither side is read or written a whole column apart. Rows are split into tasks of about {@link #GRAIN}
 * elements on the {@link WorkerPool}; each output element is written by one task from the same inputs, so the
 * result is the same on any number of threads.
 *
 * <p>IndexAdd sums in double, in index order per output element (as the reference does, so the float result is
 * the reference's); threads split the output (outer rows, inner columns, slabs of index values), never the order of
 * the terms of one sum. Max compares exactly, so its order does not matter.
 */
final class MovementKernels {

    /** Elements per parallel task. */
    static final int GRAIN = 1 << 15;
    /** Side of a square block of a last-two-axes transpose (32 x 32 floats = 4 KB, in L1 on both sides). */
    static final int TILE = 32;
    /** Shorter runs are copied by a loop: {@link System#arraycopy} costs a call. */
    static final int ARRAYCOPY_MIN = 16;
    /** Fewest inner columns of one IndexAdd task (each task scans every index). */
    static final int MIN_COLUMNS = 64;

    private final WorkerPool pool;
    private final ScatterKernel scatter;
    private final IndexCheck indexCheck;
    /** IndexAdd's double accumulator, kept between calls: a fresh one costs more to allocate than the scatter. */
    private final DoubleScratch scratch = new DoubleScratch();

    MovementKernels(WorkerPool pool, ScatterKernel scatter, IndexCheck indexCheck) {
        this.pool = pool;
        this.scatter = scatter;
        this.indexCheck = indexCheck;
    }

    /** Runs one of the primitives this class implements; y has out.numel() elements (not zeroed). */
    void run(Op op, Shape out, List<Shape> shapes, List<float[]> in, float[] y) {
        Shape s0 = shapes.getFirst();
        switch (op) {
            case Op.Permute p -> {
                int[] xs = s0.strides();
                int[] strides = new int[p.perm().length];
                for (int k = 0; k < strides.length; k++) {
                    strides[k] = xs[p.perm()[k]];
                }
                gather(in.getFirst(), 0, out.dims(), strides, y);
            }
            case Op.Expand _ -> gather(in.getFirst(), 0, out.dims(), s0.broadcastStridesTo(out), y);
            case Op.Slice s -> {
                int[] xs = s0.strides();
                int[] strides = new int[xs.length];
                for (int k = 0; k < xs.length; k++) {
                    strides[k] = xs[k] * s.step()[k];
                }
                gather(in.getFirst(), dot(s.start(), xs), out.dims(), strides, y);
            }
            case Op.Flip f -> {
                int[] strides = s0.strides();
                int base = 0;
                boolean[] flipped = new boolean[s0.rank()];
                for (int axis : f.axes()) {
                    flipped[s0.normalizeAxis(axis)] = true;
                }
                for (int k = 0; k < strides.length; k++) {
                    if (flipped[k]) {
                        base += (s0.dim(k) - 1) * strides[k];
                        strides[k] = -strides[k];
                    }
                }
                gather(in.getFirst(), base, out.dims(), strides, y);
            }
            case Op.Pad p -> {
                Arrays.fill(y, 0f);
                place(in.getFirst(), s0, y, out.strides(), dot(p.before(), out.strides()));
            }
            case Op.Concat c -> {
                int axis = out.normalizeAxis(c.axis());
                int start = 0;
                for (int t = 0; t < in.size(); t++) {
                    place(in.get(t), shapes.get(t), y, out.strides(), start * out.strides()[axis]);
                    start += shapes.get(t).dim(axis);
                }
            }
            case Op.Where _ -> where(in, shapes, out, y);
            case Op.Max _ -> max(in.getFirst(), s0, out, y);
            case Op.IndexSelect s -> indexSelect(in.get(0), s0, in.get(1), s0.normalizeAxis(s.axis()), y);
            case Op.IndexAdd a -> indexAdd(in.get(0), s0, in.get(1), out.normalizeAxis(a.axis()), out, y);
            default -> throw new IllegalArgumentException(op.name() + " is not a movement primitive");
        }
    }

    // ------------------------------------------------------------------ strided walks

    /** y[i] = x[base + sum_k i_k strides[k]] over the positions i of dims (y contiguous). */
    private void gather(float[] x, int base, int[] dims, int[] strides, float[] y) {
        Rows rows = Rows.of(dims, strides);
        int len = rows.length();
        int step = rows.step(0);
        if (step != 1 && step != 0 && rows.rank() >= 2 && rows.strides[0][rows.rank() - 2] == 1) {
            transposeBlocks(x, base, rows, y);
            return;
        }
        forRows(rows, (row, off) -> {
            int xi = base + off[0];
            int yi = row * len;
            if (step == 1) {
                System.arraycopy(x, xi, y, yi, len);
            } else if (step == 0) {
                Arrays.fill(y, yi, yi + len, x[xi]);
            } else {
                for (int j = 0; j < len; j++) {
                    y[yi + j] = x[xi + j * step];
                }
            }
        });
    }

    /**
     * A gather whose last two (merged) axes are a transpose: the input walks the second-last axis with stride 1
     * and the last with stride {@code step}. Copies TILE x TILE blocks, each read row by row from the input (also
     * for a narrow last axis, as NCHW to NHWC with 3 channels, where per-row walks would cost a call per row).
     */
    private void transposeBlocks(float[] x, int base, Rows rows, float[] y) {
        int r = rows.rank();
        int cols = rows.dims[r - 1];
        int height = rows.dims[r - 2];
        int step = rows.step(0);
        int[] outerDims = Arrays.copyOf(rows.dims, r - 2);
        int[] outerStrides = Arrays.copyOf(rows.strides[0], r - 2);
        int matrices = (int) product(outerDims);
        int bandsPerMatrix = MatMulKernel.ceilDiv(height, TILE);
        pool.forEach(matrices * bandsPerMatrix, (long) y.length >= 2L * GRAIN, task -> {
            int matrix = task / bandsPerMatrix;
            int i0 = (task % bandsPerMatrix) * TILE;
            int i1 = Math.min(height, i0 + TILE);
            int xm = base + offset(matrix, outerDims, outerStrides);
            int ym = matrix * height * cols;
            for (int j0 = 0; j0 < cols; j0 += TILE) {
                int j1 = Math.min(cols, j0 + TILE);
                for (int j = j0; j < j1; j++) {
                    int xi = xm + j * step;
                    for (int i = i0; i < i1; i++) {
                        y[ym + i * cols + j] = x[xi + i];
                    }
                }
            }
        });
    }

    /** y[base + sum_k i_k yStrides[k]] = x[i] over the positions i of x: x written as a block of y (pad, concat). */
    private void place(float[] x, Shape xShape, float[] y, int[] yStrides, int base) {
        Rows rows = Rows.of(xShape.dims(), yStrides);
        int len = rows.length();
        int step = rows.step(0);
        forRows(rows, (row, off) -> {
            int xi = row * len;
            int yi = base + off[0];
            if (step == 1) {
                System.arraycopy(x, xi, y, yi, len);
            } else {
                for (int j = 0; j < len; j++) {
                    y[yi + j * step] = x[xi + j];
                }
            }
        });
    }

    /** y = cond != 0 ? a : b, the three broadcast to y. */
    private void where(List<float[]> in, List<Shape> shapes, Shape out, float[] y) {
        float[] c = in.get(0);
        float[] a = in.get(1);
        float[] b = in.get(2);
        Rows rows = Rows.of(out.dims(), shapes.get(0).broadcastStridesTo(out), shapes.get(1).broadcastStridesTo(out),
                shapes.get(2).broadcastStridesTo(out));
        int len = rows.length();
        int cs = rows.step(0);
        int as = rows.step(1);
        int bs = rows.step(2);
        forRows(rows, (row, off) -> {
            int yi = row * len;
            for (int j = 0; j < len; j++) {
                y[yi + j] = c[off[0] + j * cs] != 0 ? a[off[1] + j * as] : b[off[2] + j * bs];
            }
        });
    }

    /**
     * y = max of x over the reduced axes: x walked in rows, each row folding into one y element (innermost axis
     * reduced, y stride 0) or into a y run (kept, stride 1). Runs on the calling thread: rows of different tasks
     * could meet in one y element. NaN wins (as {@link Math#max}), so a NaN anywhere in a window propagates.
     */
    private static void max(float[] x, Shape xShape, Shape out, float[] y) {
        Arrays.fill(y, Float.NEGATIVE_INFINITY);
        Rows rows = Rows.of(xShape.dims(), out.broadcastStridesTo(xShape));
        int len = rows.length();
        int step = rows.step(0);
        walk(rows, 0, rows.count(), (row, off) -> {
            int xi = row * len;
            int yi = off[0];
            if (step == 0) {
                float m = y[yi];
                for (int j = 0; j < len; j++) {
                    m = Math.max(m, x[xi + j]);
                }
                y[yi] = m;
            } else {
                for (int j = 0; j < len; j++) {
                    y[yi + j * step] = Math.max(y[yi + j * step], x[xi + j]);
                }
            }
        });
    }

    /** One row of a walk: its number and the offsets of its first element in each operand (do not keep). */
    @FunctionalInterface
    private interface RowBody {
        void row(int row, int[] offsets);
    }

    /** Walks all rows, in tasks of about GRAIN elements. */
    private void forRows(Rows rows, RowBody body) {
        int count = rows.count();
        int perTask = Math.max(1, GRAIN / Math.max(1, rows.length()));
        int tasks = MatMulKernel.ceilDiv(count, perTask);
        pool.forEach(tasks, tasks > 1, t -> walk(rows, t * perTask, Math.min(count, (t + 1) * perTask), body));
    }

    /** Rows [from, to): the offsets of row {@code from} by division, then an odometer over the outer axes. */
    private static void walk(Rows rows, int from, int to, RowBody body) {
        int outer = rows.rank() - 1;
        int views = rows.strides.length;
        int[] index = new int[Math.max(0, outer)];
        int[] off = new int[views];
        int rest = from;
        for (int k = outer - 1; k >= 0; k--) {
            index[k] = rest % rows.dims[k];
            rest /= rows.dims[k];
            for (int v = 0; v < views; v++) {
                off[v] += index[k] * rows.strides[v][k];
            }
        }
        for (int row = from; row < to; row++) {
            body.row(row, off);
            for (int k = outer - 1; k >= 0; k--) {
                index[k]++;
                boolean carry = index[k] == rows.dims[k];
                for (int v = 0; v < views; v++) {
                    off[v] += carry ? (1 - rows.dims[k]) * rows.strides[v][k] : rows.strides[v][k];
                }
                if (!carry) {
                    break;
                }
                index[k] = 0;
            }
        }
    }

    /**
     * An index space as rows: extent-1 axes dropped and neighbouring axes merged where every view steps through
     * them as one (outer stride = inner stride x inner extent); {@code strides[v]} are view v's element strides.
     * At least one axis, the last being the rows.
     */
    private record Rows(int[] dims, int[][] strides) {

        static Rows of(int[] dims, int[]... viewStrides) {
            List<Integer> d = new ArrayList<>();
            List<int[]> s = new ArrayList<>();
            for (int k = 0; k < dims.length; k++) {
                if (dims[k] == 1) {
                    continue;
                }
                int[] st = new int[viewStrides.length];
                boolean merge = !d.isEmpty();
                for (int v = 0; v < st.length; v++) {
                    st[v] = viewStrides[v][k];
                    merge &= !d.isEmpty() && s.getLast()[v] == st[v] * dims[k];
                }
                if (merge) {
                    d.set(d.size() - 1, d.getLast() * dims[k]);
                    s.set(s.size() - 1, st);
                } else {
                    d.add(dims[k]);
                    s.add(st);
                }
            }
            if (d.isEmpty() || product(dims) == 0) {
                d = List.of(product(dims) == 0 ? 0 : 1);
                s = List.of(new int[viewStrides.length]);
            }
            int[][] strides = new int[viewStrides.length][d.size()];
            for (int k = 0; k < d.size(); k++) {
                for (int v = 0; v < viewStrides.length; v++) {
                    strides[v][k] = s.get(k)[v];
                }
            }
            return new Rows(d.stream().mapToInt(Integer::intValue).toArray(), strides);
        }

        int rank() {
            return dims.length;
        }

        /** Elements per row. */
        int length() {
            return dims[dims.length - 1];
        }

        /** View v's stride along a row. */
        int step(int v) {
            return strides[v][dims.length - 1];
        }

        /** Number of rows (0 when the space is empty). */
        int count() {
            return length() == 0 ? 0 : (int) product(Arrays.copyOf(dims, dims.length - 1));
        }
    }

    // ------------------------------------------------------------------ gather / scatter along one axis

    /** y[a, j, b] = x[a, index[j], b], viewing x as [outer, x.dim(axis), inner] and y as [outer, k, inner]. */
    private void indexSelect(float[] x, Shape xShape, float[] index, int axis, float[] y) {
        int extent = xShape.dim(axis);
        indexCheck.check(index, extent, "index_select", "axis " + axis + " of x " + xShape);
        int k = index.length;
        int inner = (int) product(Arrays.copyOfRange(xShape.dims(), axis + 1, xShape.rank()));
        int count = y.length / Math.max(1, inner);   // rows (a, j) of y
        int perTask = Math.max(1, GRAIN / Math.max(1, inner));
        int tasks = MatMulKernel.ceilDiv(count, perTask);
        pool.forEach(tasks, tasks > 1, t -> {
            int r = t * perTask;
            int end = Math.min(count, r + perTask);
            while (r < end) {
                // the rows of one outer index a share a base, so the inner loop is a plain gather (or row copy)
                int a = r / k;
                int j = r - a * k;
                int n = Math.min(end - r, k - j);
                int base = a * extent;
                if (inner == 1) {
                    for (int i = 0; i < n; i++) {
                        y[r + i] = x[base + (int) index[j + i]];
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        int from = (base + (int) index[j + i]) * inner;
                        int to = (r + i) * inner;
                        if (inner >= ARRAYCOPY_MIN) {
                            System.arraycopy(x, from, y, to, inner);
                        } else {
                            for (int b = 0; b < inner; b++) {
                                y[to + b] = x[from + b];
                            }
                        }
                    }
                }
                r += n;
            }
        });
    }

    /**
     * y[a, index[i], b] += src[a, i, b] from zero, in double and in order of i for each output element. Single
     * values (inner extent 1) go to the {@link ScatterKernel}. Otherwise tasks own disjoint blocks of y: an outer row a,
     * a slab of index values [lo, hi) and a range of inner columns; each scans every index and takes those in its
     * slab, accumulates into its block of a double scratch array and rounds the block into y. Any split gives the
     * same bits: each element's terms are added in index order by one task.
     */
    private void indexAdd(float[] src, Shape srcShape, float[] index, int axis, Shape out, float[] y) {
        int size = out.dim(axis);
        boolean sorted = indexCheck.check(index, size, "index_add", "axis " + axis + " of result " + out);
        int k = index.length;
        int outer = (int) product(Arrays.copyOf(srcShape.dims(), axis));
        int inner = (int) product(Arrays.copyOfRange(srcShape.dims(), axis + 1, srcShape.rank()));
        if (inner == 1) {
            scatter.scatter(src, k, index, null, outer, size, y, sorted);
            return;
        }
        long work = (long) outer * k * inner + y.length;
        int parallel = work >= 2L * GRAIN ? pool.threads() : 1;
        // a task over a few columns would scan all k indices for little work: at least MIN_COLUMNS per task
        int columnsPerTask = Math.clamp(Math.max(MIN_COLUMNS, GRAIN / Math.max(1, k)), 1, Math.max(1, inner));
        int columnTasks = MatMulKernel.ceilDiv(inner, columnsPerTask);
        // split the index values too when outer rows and columns alone would leave threads idle at the end
        int blocks = Math.max(1, outer * columnTasks);
        int slabs = Math.min(Math.max(1, size), blocks >= 4 * parallel || blocks % parallel == 0 ? 1 : parallel);
        int tasks = outer * columnTasks * slabs;
        double[] acc = scratch.take(y.length);
        try {
            pool.forEach(tasks, parallel > 1, t -> {
                int a = t / (columnTasks * slabs);
                int rest = t % (columnTasks * slabs);
                int b0 = (rest / slabs) * columnsPerTask;
                int b1 = Math.min(inner, b0 + columnsPerTask);
                int lo = (int) ((long) size * (rest % slabs) / slabs);
                int hi = (int) ((long) size * (rest % slabs + 1) / slabs);
                int rowBase = a * size;
                boolean whole = b0 == 0 && b1 == inner;                         // the block is one contiguous run
                if (whole) {
                    Arrays.fill(acc, (rowBase + lo) * inner, (rowBase + hi) * inner, 0.0);
                } else {
                    for (int row = lo; row < hi; row++) {
                        Arrays.fill(acc, (rowBase + row) * inner + b0, (rowBase + row) * inner + b1, 0.0);
                    }
                }
                for (int i = 0; i < k; i++) {
                    int at = (int) index[i];
                    if (at < lo || at >= hi) {
                        continue;
                    }
                    int yi = (rowBase + at) * inner;
                    int si = (a * k + i) * inner;
                    for (int b = b0; b < b1; b++) {
                        acc[yi + b] += src[si + b];
                    }
                }
                if (whole) {
                    for (int i = (rowBase + lo) * inner; i < (rowBase + hi) * inner; i++) {
                        y[i] = (float) acc[i];
                    }
                } else {
                    for (int row = lo; row < hi; row++) {
                        int yi = (rowBase + row) * inner;
                        for (int b = b0; b < b1; b++) {
                            y[yi + b] = (float) acc[yi + b];
                        }
                    }
                }
            });
        } finally {
            scratch.give(acc);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** sum_k coords[k] strides[k]. */
    private static int dot(int[] coords, int[] strides) {
        int sum = 0;
        for (int k = 0; k < coords.length; k++) {
            sum += coords[k] * strides[k];
        }
        return sum;
    }

    /** Offset of position {@code flat} of an index space with the given dims, through strides. */
    private static int offset(int flat, int[] dims, int[] strides) {
        int off = 0;
        for (int k = dims.length - 1; k >= 0; k--) {
            off += (flat % dims[k]) * strides[k];
            flat /= dims[k];
        }
        return off;
    }

    private static long product(int[] dims) {
        long p = 1;
        for (int d : dims) {
            p *= d;
        }
        return p;
    }
}
