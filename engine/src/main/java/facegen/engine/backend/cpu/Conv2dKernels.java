package facegen.engine.backend.cpu;

import facegen.engine.backend.cpu.MatMulKernel.Matrix;
import facegen.engine.ops.ConvGeometry;
import facegen.engine.tensor.Shape;

import java.util.Arrays;

/**
 * {@code Conv2d} and its two transposes ({@code Conv2dInputGrad}, {@code Conv2dWeightGrad}) as im2col plus the
 * {@link MatMulKernel} GEMM, with exactly torch's semantics (cross-correlation, zero padding, stride, dilation,
 * groups).
 *
 * <p>For a chunk of images the patches are unfolded into the column matrix {@code col [C kH kW, nb H'W']}
 * (row (c, ki, kj), column (image, y', x')). Per group g, with {@code W_g [O/g, C/g kH kW]}:
 * <pre>
 *   forward      Y_g   = W_g   col_g          (then Y [O, nb H'W'] is scattered to [nb, O, H', W'])
 *   input grad   dcol_g = W_g^T dY_g          (then col2im adds dcol back onto the input pixels)
 *   weight grad  dW_g += dY_g  col_g^T        (accumulated over image chunks)
 * </pre>
 * All three share {@link #im2col}, {@link #col2im} and the GEMM; transposes are strided views, never copies.
 *
 * <p>Chunking: small images (8x8) would give GEMMs only 64 columns wide, too narrow to split over threads and
 * to fill the 64-column register tile well, so several images share one column matrix until it has
 * {@link #TARGET_COLUMNS} columns, capped at {@link #MAX_COLUMN_FLOATS} of memory. A 1x1, stride-1, unpadded
 * convolution of one image needs no unfolding at all: the input itself is the column matrix.
 */
final class Conv2dKernels {

    /** Columns of the GEMM worth batching images for: 8 micro-panels, enough to split over threads. */
    static final int TARGET_COLUMNS = 512;
    /** Largest column matrix of one chunk (32 MB). */
    static final long MAX_COLUMN_FLOATS = 1L << 23;
    /** Unfolding work (elements) below which im2col/col2im stay on one thread. */
    static final long PARALLEL_MIN_ELEMENTS = 1L << 15;

    /**
     * Extents of one convolution: input x [batch, inC, inH, inW], weight [outC, inC/groups, kH, kW],
     * output [batch, outC, outH, outW].
     */
    record Problem(int batch, int inC, int inH, int inW, int outC, int kH, int kW, int outH, int outW, ConvGeometry g) {

        /** The problem of input {@code x}, weight {@code w} and output {@code y} shapes. */
        static Problem of(Shape x, Shape w, Shape y, ConvGeometry g) {
            return new Problem(x.dim(0), x.dim(1), x.dim(2), x.dim(3), w.dim(0), w.dim(2), w.dim(3), y.dim(2), y.dim(3), g);
        }

        int groups() {
            return g.groups();
        }

        int groupOutC() {
            return outC / g.groups();
        }

        /** Rows of one group's column matrix: (C/groups) kH kW. */
        int patch() {
            return inC / g.groups() * kH * kW;
        }

        int inArea() {
            return inH * inW;
        }

        int outArea() {
            return outH * outW;
        }

        boolean pointwise() {
            return kH == 1 && kW == 1 && g.strideH() == 1 && g.strideW() == 1 && g.padH() == 0 && g.padW() == 0;
        }

        /** Images per column matrix (see class comment). */
        int imagesPerChunk() {
            int nb = outArea() >= TARGET_COLUMNS ? 1 : MatMulKernel.ceilDiv(TARGET_COLUMNS, Math.max(1, outArea()));
            long perImage = Math.max(1L, (long) inC * kH * kW * outArea());
            return (int) Math.max(1, Math.min(Math.min(nb, batch), MAX_COLUMN_FLOATS / perImage));
        }
    }

    private final WorkerPool pool;
    private final MatMulKernel gemm;
    private final FloatArrayPool arrays;

    Conv2dKernels(WorkerPool pool, MatMulKernel gemm, FloatArrayPool arrays) {
        this.pool = pool;
        this.gemm = gemm;
        this.arrays = arrays;
    }

    /** y = conv2d(x, w): y[n, o, y', x'] = sum_{c in group(o), ki, kj} x[n, c, y' sH - pH + ki dH, x' sW - pW + kj dW] w[o, c, ki, kj]. */
    void forward(float[] x, float[] w, float[] y, Problem p) {
        try (Chunks chunks = new Chunks(p)) {
            forward(x, w, y, p, chunks);
        }
    }

    private void forward(float[] x, float[] w, float[] y, Problem p, Chunks chunks) {
        for (int n0 = 0; n0 < p.batch(); n0 += chunks.images) {
            int cnt = Math.min(chunks.images, p.batch() - n0);
            int cols = cnt * p.outArea();
            Matrix col = chunks.columns(x, n0, cnt);
            Matrix out = cnt == 1 ? Matrix.rowMajor(y, n0 * p.outC() * p.outArea(), cols) : chunks.channelMajor(cols);
            forEachGroup(p, cols, g -> gemm.multiply(p.groupOutC(), cols, p.patch(),
                    Matrix.rowMajor(w, g * p.groupOutC() * p.patch(), p.patch()),
                    rows(col, g * p.patch()), out.data(), out.offset() + g * p.groupOutC() * cols, cols, false));
            if (cnt > 1) {
                channelMajorToBatch(out.data(), y, n0, cnt, p.outC(), p.outArea());
            }
        }
    }

    /** dx = conv2d input-gradient of dy: dx[n, c, i, j] = sum over the outputs (o, y', x') that read x[n, c, i, j] of dy w. */
    void inputGrad(float[] dy, float[] w, float[] dx, Problem p) {
        try (Chunks chunks = new Chunks(p)) {
            inputGrad(dy, w, dx, p, chunks);
        }
    }

    private void inputGrad(float[] dy, float[] w, float[] dx, Problem p, Chunks chunks) {
        for (int n0 = 0; n0 < p.batch(); n0 += chunks.images) {
            int cnt = Math.min(chunks.images, p.batch() - n0);
            int cols = cnt * p.outArea();
            Matrix grad = chunks.outputGrad(dy, n0, cnt);
            Matrix dcol = chunks.direct ? Matrix.rowMajor(dx, n0 * p.inC() * p.inArea(), cols) : chunks.unfolded(cols);
            forEachGroup(p, cols, g -> gemm.multiply(p.patch(), cols, p.groupOutC(),
                    Matrix.rowMajor(w, g * p.groupOutC() * p.patch(), p.patch()).transposed(),
                    rows(grad, g * p.groupOutC()), dcol.data(), dcol.offset() + g * p.patch() * cols, cols, false));
            if (!chunks.direct) {
                col2im(dcol.data(), dx, p, n0, cnt);
            }
        }
    }

    /** dw = conv2d weight-gradient: dw[o, c, ki, kj] = sum_{n, y', x'} dy[n, o, y', x'] x[n, c, y' sH - pH + ki dH, x' sW - pW + kj dW]. */
    void weightGrad(float[] x, float[] dy, float[] dw, Problem p) {
        if (p.batch() == 0) {
            Arrays.fill(dw, 0f);
            return;
        }
        try (Chunks chunks = new Chunks(p)) {
            weightGrad(x, dy, dw, p, chunks);
        }
    }

    private void weightGrad(float[] x, float[] dy, float[] dw, Problem p, Chunks chunks) {
        for (int n0 = 0; n0 < p.batch(); n0 += chunks.images) {
            int cnt = Math.min(chunks.images, p.batch() - n0);
            int cols = cnt * p.outArea();
            boolean accumulate = n0 > 0;
            Matrix col = chunks.columns(x, n0, cnt);
            Matrix grad = chunks.outputGrad(dy, n0, cnt);
            forEachGroup(p, cols, g -> gemm.multiply(p.groupOutC(), p.patch(), cols,
                    rows(grad, g * p.groupOutC()), rows(col, g * p.patch()).transposed(),
                    dw, g * p.groupOutC() * p.patch(), p.patch(), accumulate));
        }
    }

    /** The row-major matrix {@code m} starting {@code firstRow} rows down. */
    private static Matrix rows(Matrix m, int firstRow) {
        return new Matrix(m.data(), m.offset() + firstRow * m.rowStride(), m.rowStride(), 1);
    }

    /**
     * Runs one GEMM per group: in sequence (each GEMM parallel) when they are big, or spread over the threads
     * when they are small (depthwise convolutions: one channel per group).
     */
    private void forEachGroup(Problem p, int cols, WorkerPool.Body body) {
        long flopsPerGroup = 2L * p.groupOutC() * p.patch() * cols;
        if (p.groups() > 1 && flopsPerGroup < MatMulKernel.PARALLEL_MIN_FLOPS * 4) {
            pool.forEach(p.groups(), true, body);
        } else {
            for (int g = 0; g < p.groups(); g++) {
                body.run(g);
            }
        }
    }

    /** Buffers of one call (taken from the backend's array pool, given back on close) and chunk views. */
    private final class Chunks implements AutoCloseable {
        final Problem p;
        final int images;
        final boolean direct;
        private float[] unfolded;
        private float[] channelMajor;

        Chunks(Problem p) {
            this.p = p;
            this.images = p.imagesPerChunk();
            this.direct = p.pointwise() && images == 1;
        }

        /** The column matrix of images [n0, n0 + cnt) of x. */
        Matrix columns(float[] x, int n0, int cnt) {
            int cols = cnt * p.outArea();
            if (direct) {
                return Matrix.rowMajor(x, n0 * p.inC() * p.inArea(), cols);
            }
            Matrix col = unfolded(cols);
            im2col(x, p, n0, cnt, col.data());
            return col;
        }

        /** dy of images [n0, n0 + cnt) as a channel-major [O, cnt H'W'] matrix. */
        Matrix outputGrad(float[] dy, int n0, int cnt) {
            int cols = cnt * p.outArea();
            if (cnt == 1) {
                return Matrix.rowMajor(dy, n0 * p.outC() * p.outArea(), cols);
            }
            Matrix m = channelMajor(cols);
            batchToChannelMajor(dy, m.data(), n0, cnt, p.outC(), p.outArea());
            return m;
        }

        /** Scratch [C kH kW, cols]. */
        Matrix unfolded(int cols) {
            if (unfolded == null) {
                unfolded = arrays.take(p.inC() * p.kH() * p.kW() * images * p.outArea());
            }
            return Matrix.rowMajor(unfolded, 0, cols);
        }

        /** Scratch [O, cols]. */
        Matrix channelMajor(int cols) {
            if (channelMajor == null) {
                channelMajor = arrays.take(p.outC() * images * p.outArea());
            }
            return Matrix.rowMajor(channelMajor, 0, cols);
        }

        @Override
        public void close() {
            for (float[] a : new float[][] {unfolded, channelMajor}) {
                if (a != null) {
                    arrays.give(a);
                }
            }
        }
    }

    /**
     * Unfolds images [n0, n0 + cnt) of x into col [C kH kW, cnt H'W']:
     * col[(c kH + ki) kW + kj, i H'W' + y' W' + x'] = x[n0 + i, c, y' sH - pH + ki dH, x' sW - pW + kj dW], 0 outside.
     */
    private void im2col(float[] x, Problem p, int n0, int cnt, float[] col) {
        int cols = cnt * p.outArea();
        pool.forEach(p.inC(), (long) p.inC() * p.kH() * p.kW() * cols >= PARALLEL_MIN_ELEMENTS, c -> {
            for (int ki = 0; ki < p.kH(); ki++) {
                for (int kj = 0; kj < p.kW(); kj++) {
                    int row = ((c * p.kH() + ki) * p.kW() + kj) * cols;
                    RowSpan s = RowSpan.of(p, kj);
                    for (int i = 0; i < cnt; i++) {
                        int plane = ((n0 + i) * p.inC() + c) * p.inArea();
                        for (int oy = 0; oy < p.outH(); oy++) {
                            int dst = row + i * p.outArea() + oy * p.outW();
                            int iy = oy * p.g().strideH() - p.g().padH() + ki * p.g().dilationH();
                            if (iy < 0 || iy >= p.inH()) {
                                Arrays.fill(col, dst, dst + p.outW(), 0f);
                            } else {
                                copyRow(x, plane + iy * p.inW(), s, col, dst, p);
                            }
                        }
                    }
                }
            }
        });
    }

    /**
     * Folds dcol [C kH kW, cnt H'W'] back onto images [n0, n0 + cnt) of dx, the adjoint of {@link #im2col}:
     * every dx pixel of the chunk is overwritten by the sum of the column entries that read it.
     */
    private void col2im(float[] dcol, float[] dx, Problem p, int n0, int cnt) {
        int cols = cnt * p.outArea();
        pool.forEach(p.inC(), (long) p.inC() * p.kH() * p.kW() * cols >= PARALLEL_MIN_ELEMENTS, c -> {
            for (int i = 0; i < cnt; i++) {
                int plane = ((n0 + i) * p.inC() + c) * p.inArea();
                Arrays.fill(dx, plane, plane + p.inArea(), 0f);
                for (int ki = 0; ki < p.kH(); ki++) {
                    for (int kj = 0; kj < p.kW(); kj++) {
                        int row = ((c * p.kH() + ki) * p.kW() + kj) * cols;
                        RowSpan s = RowSpan.of(p, kj);
                        for (int oy = 0; oy < p.outH(); oy++) {
                            int iy = oy * p.g().strideH() - p.g().padH() + ki * p.g().dilationH();
                            if (iy >= 0 && iy < p.inH()) {
                                addRow(dcol, row + i * p.outArea() + oy * p.outW(), dx, plane + iy * p.inW(), s, p);
                            }
                        }
                    }
                }
            }
        });
    }

    /**
     * Where kernel column kj reads an input row: output column x' reads input column {@code x0 + x' stride},
     * which lies inside the row for x' in [lo, hi).
     */
    private record RowSpan(int x0, int stride, int lo, int hi) {
        static RowSpan of(Problem p, int kj) {
            int x0 = kj * p.g().dilationW() - p.g().padW();
            int s = p.g().strideW();
            int lo = x0 >= 0 ? 0 : MatMulKernel.ceilDiv(-x0, s);
            int hi = x0 > p.inW() - 1 ? 0 : Math.min(p.outW(), (p.inW() - 1 - x0) / s + 1);
            return new RowSpan(x0, s, Math.min(lo, p.outW()), Math.max(hi, Math.min(lo, p.outW())));
        }
    }

    /** dst[dst + x'] = src[srcRow + x0 + x' stride] for x' in the span, 0 elsewhere in [0, W'). */
    private static void copyRow(float[] src, int srcRow, RowSpan s, float[] dst, int dstOff, Problem p) {
        Arrays.fill(dst, dstOff, dstOff + s.lo(), 0f);
        if (s.stride() == 1) {
            System.arraycopy(src, srcRow + s.x0() + s.lo(), dst, dstOff + s.lo(), s.hi() - s.lo());
        } else {
            for (int ox = s.lo(); ox < s.hi(); ox++) {
                dst[dstOff + ox] = src[srcRow + s.x0() + ox * s.stride()];
            }
        }
        Arrays.fill(dst, dstOff + s.hi(), dstOff + p.outW(), 0f);
    }

    /** dst[dstRow + x0 + x' stride] += src[srcOff + x'] for x' in the span: the adjoint of {@link #copyRow}. */
    private static void addRow(float[] src, int srcOff, float[] dst, int dstRow, RowSpan s, Problem p) {
        int base = dstRow + s.x0();
        if (s.stride() == 1) {
            for (int ox = s.lo(); ox < s.hi(); ox++) {
                dst[base + ox] += src[srcOff + ox];
            }
        } else {
            for (int ox = s.lo(); ox < s.hi(); ox++) {
                dst[base + ox * s.stride()] += src[srcOff + ox];
            }
        }
    }

    /** dst[n0 + i, c, :] = src[c, i area ..< (i+1) area]: a channel-major chunk back to batch-major. */
    private static void channelMajorToBatch(float[] src, float[] dst, int n0, int cnt, int channels, int area) {
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < cnt; i++) {
                System.arraycopy(src, (c * cnt + i) * area, dst, ((n0 + i) * channels + c) * area, area);
            }
        }
    }

    /** dst[c, i area ..< (i+1) area] = src[n0 + i, c, :]: the inverse of {@link #channelMajorToBatch}. */
    private static void batchToChannelMajor(float[] src, float[] dst, int n0, int cnt, int channels, int area) {
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < cnt; i++) {
                System.arraycopy(src, ((n0 + i) * channels + c) * area, dst, (c * cnt + i) * area, area);
            }
        }
    }
}
