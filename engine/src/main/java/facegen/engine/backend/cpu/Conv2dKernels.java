package facegen.engine.backend.cpu;

import facegen.engine.backend.cpu.MatMulKernel.Matrix;
import facegen.engine.ops.ConvGeometry;
import facegen.engine.tensor.Shape;

import java.util.Arrays;

/**
 * {@code Conv2d} and its two transposes ({@code Conv2dInputGrad}, {@code Conv2dWeightGrad}) as GEMMs over the
 * im2col column matrix, with exactly torch's semantics (cross-correlation, zero padding, stride, dilation, groups).
 *
 * <p>For a chunk of images the column matrix is {@code col [C kH kW, nb H'W']} (row (c, ki, kj), column
 * (image, y', x')). Per group g, with {@code W_g [O/g, C/g kH kW]}:
 * <pre>
 *   forward      Y_g    = W_g  col_g           (then Y [O, nb H'W'] is scattered to [nb, O, H', W'])
 *   weight grad  dW_g  += dY_g col_g^T         (accumulated over image chunks)
 *   input grad   dx     = conv2d(dy, W~)       stride 1: W~[c, o, ki, kj] = W[o, c, kH-1-ki, kW-1-kj], pad d (k-1) - p
 *                dcol_g = W_g^T dY_g           otherwise (then col2im adds dcol back onto the input pixels)
 * </pre>
 * The column matrix is never materialised (it is 9x the image: 19 MB for 128 channels of 64x64): it is a
 * {@link MatMulKernel.PanelSource}, and the GEMM packs its K-block panels straight from the image, as col for the
 * forward and as col^T for the weight gradient. A stride-1 input gradient is a forward convolution of dy, so it
 * needs no dcol and no col2im either; only strided input gradients still fold a materialised dcol back.
 *
 * <p>Chunking: small images (8x8) would give GEMMs only 64 columns wide, too narrow to split over threads and
 * to fill the register tile well, so several images share one GEMM until it has {@link #TARGET_COLUMNS}
 * columns, capped by {@link #MAX_CHUNK_FLOATS} of scratch (the channel-major output or dcol of a chunk).
 */
final class Conv2dKernels {

    /** Columns of the GEMM worth batching images for: enough to split over threads. */
    static final int TARGET_COLUMNS = 512;
    /** Largest scratch matrix of one chunk (32 MB). */
    static final long MAX_CHUNK_FLOATS = 1L << 23;
    /** Output channels per task of the kernel transpose in {@link #flipTransposed}. */
    static final int FLIP_BLOCK = 16;
    /** Folding work (elements) below which col2im and the kernel transpose stay on one thread. */
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

        /** Whether the input gradient is a convolution of dy (stride 1 and pad at most d (k - 1), see class comment). */
        boolean transposeIsConvolution() {
            return g.strideH() == 1 && g.strideW() == 1
                    && g.padH() <= g.dilationH() * (kH - 1) && g.padW() <= g.dilationW() * (kW - 1);
        }

        /** The convolution computing this one's input gradient: dy [batch, O, H', W'] to dx [batch, C, H, W]. */
        Problem transposed() {
            ConvGeometry t = new ConvGeometry(1, 1, g.dilationH() * (kH - 1) - g.padH(), g.dilationW() * (kW - 1) - g.padW(),
                    g.dilationH(), g.dilationW(), g.groups());
            return new Problem(batch, outC, outH, outW, inC, kH, kW, inH, inW, t);
        }

        /** Images per column matrix (see class comment). */
        int imagesPerChunk() {
            int nb = outArea() >= TARGET_COLUMNS ? 1 : MatMulKernel.ceilDiv(TARGET_COLUMNS, Math.max(1, outArea()));
            long perImage = Math.max(1L, (long) Math.max(outC, inC * kH * kW) * outArea());
            return (int) Math.max(1, Math.min(Math.min(nb, batch), MAX_CHUNK_FLOATS / perImage));
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
            for (int n0 = 0; n0 < p.batch(); n0 += chunks.images) {
                int cnt = Math.min(chunks.images, p.batch() - n0);
                int cols = cnt * p.outArea();
                int first = n0;
                Matrix out = cnt == 1 ? Matrix.rowMajor(y, n0 * p.outC() * p.outArea(), cols) : chunks.channelMajor(cols);
                forEachGroup(p, cols, g -> gemm.multiply(p.groupOutC(), cols, p.patch(),
                        Matrix.rowMajor(w, g * p.groupOutC() * p.patch(), p.patch()),
                        new Patches(x, p, first, cnt, g), out.data(), out.offset() + g * p.groupOutC() * cols, cols, false));
                if (cnt > 1) {
                    channelMajorToBatch(out.data(), y, n0, cnt, p.outC(), p.outArea());
                }
            }
        }
    }

    /** dx = conv2d input-gradient of dy: dx[n, c, i, j] = sum over the outputs (o, y', x') that read x[n, c, i, j] of dy w. */
    void inputGrad(float[] dy, float[] w, float[] dx, Problem p) {
        if (p.transposeIsConvolution()) {
            float[] flipped = arrays.take(w.length);
            flipTransposed(w, flipped, p);
            forward(dy, flipped, dx, p.transposed());
            arrays.give(flipped);
            return;
        }
        try (Chunks chunks = new Chunks(p)) {
            for (int n0 = 0; n0 < p.batch(); n0 += chunks.images) {
                int cnt = Math.min(chunks.images, p.batch() - n0);
                int cols = cnt * p.outArea();
                Matrix grad = chunks.outputGrad(dy, n0, cnt);
                Matrix dcol = chunks.unfolded(cols);
                forEachGroup(p, cols, g -> gemm.multiply(p.patch(), cols, p.groupOutC(),
                        Matrix.rowMajor(w, g * p.groupOutC() * p.patch(), p.patch()).transposed(),
                        rows(grad, g * p.groupOutC()), dcol.data(), dcol.offset() + g * p.patch() * cols, cols, false));
                col2im(dcol.data(), dx, p, n0, cnt);
            }
        }
    }

    /**
     * wt[g C/g + c, o, ki, kj] = w[g O/g + o, c, kH-1-ki, kW-1-kj]: the kernel of {@link Problem#transposed()}. A
     * transpose, done in blocks of {@link #FLIP_BLOCK} output channels so that both the reads (that many rows of w)
     * and the writes (runs of that many kernels) stay sequential.
     */
    private void flipTransposed(float[] w, float[] wt, Problem p) {
        int cg = p.inC() / p.groups();
        int og = p.groupOutC();
        int taps = p.kH() * p.kW();
        int blocks = MatMulKernel.ceilDiv(og, FLIP_BLOCK);
        pool.forEach(p.groups() * blocks, (long) w.length >= PARALLEL_MIN_ELEMENTS, task -> {
            int g = task / blocks;
            int o0 = task % blocks * FLIP_BLOCK;
            int o1 = Math.min(og, o0 + FLIP_BLOCK);
            for (int c = 0; c < cg; c++) {
                for (int o = o0; o < o1; o++) {
                    int src = ((g * og + o) * cg + c) * taps;
                    int dst = ((g * cg + c) * og + o) * taps;
                    for (int t = 0; t < taps; t++) {
                        wt[dst + t] = w[src + taps - 1 - t];
                    }
                }
            }
        });
    }

    /** dw = conv2d weight-gradient: dw[o, c, ki, kj] = sum_{n, y', x'} dy[n, o, y', x'] x[n, c, y' sH - pH + ki dH, x' sW - pW + kj dW]. */
    void weightGrad(float[] x, float[] dy, float[] dw, Problem p) {
        if (p.batch() == 0) {
            Arrays.fill(dw, 0f);
            return;
        }
        try (Chunks chunks = new Chunks(p)) {
            for (int n0 = 0; n0 < p.batch(); n0 += chunks.images) {
                int cnt = Math.min(chunks.images, p.batch() - n0);
                int cols = cnt * p.outArea();
                int first = n0;
                boolean accumulate = n0 > 0;
                Matrix grad = chunks.outputGrad(dy, n0, cnt);
                forEachGroup(p, cols, g -> gemm.multiply(p.groupOutC(), p.patch(), cols,
                        rows(grad, g * p.groupOutC()), new Patches(x, p, first, cnt, g).transposed(),
                        dw, g * p.groupOutC() * p.patch(), p.patch(), accumulate));
            }
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
        private float[] unfolded;
        private float[] channelMajor;

        Chunks(Problem p) {
            this.p = p;
            this.images = p.imagesPerChunk();
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
     * The column matrix col_g [C/groups kH kW, cnt H'W'] of images [n0, n0 + cnt) of x, for group g, as a B operand
     * packed on demand: col_g[(c kH + ki) kW + kj, i H'W' + y' W' + x'] = x[n0 + i, g C/groups + c,
     * y' sH - pH + ki dH, x' sW - pW + kj dW], 0 outside the image.
     */
    private record Patches(float[] x, Problem p, int n0, int cnt, int group) implements MatMulKernel.PanelSource {

        /** B = col_g: each K row of the block is unfolded into scratch, then dealt out to the panels. */
        @Override
        public void pack(int p0, int kc, int j0, int j1, float[][] dst, float[] row) {
            for (int k = 0; k < kc; k++) {
                unfoldRow(p0 + k, j0, j1, row);
                MatMulKernel.dealRow(row, 0, j1 - j0, k, dst);
            }
        }

        /** B = col_g^T (K runs over pixels): each column j is a row of col_g, unfolded and written down its panel. */
        MatMulKernel.PanelSource transposed() {
            return (p0, kc, j0, j1, dst, row) -> {
                for (int j = j0; j < j0 + MatMulKernel.ceilDiv(j1 - j0, MatMulKernel.NR) * MatMulKernel.NR; j++) {
                    float[] panel = dst[(j - j0) / MatMulKernel.NR];
                    int jj = (j - j0) % MatMulKernel.NR;
                    if (j < j1) {
                        unfoldRow(j, p0, p0 + kc, row);
                    }
                    for (int k = 0; k < kc; k++) {
                        panel[k * MatMulKernel.NR + jj] = j < j1 ? row[k] : 0f;
                    }
                }
            };
        }

        /** dst[q - q0] = col_g[r, q] for q in [q0, q1), one output row (image, y') at a time. */
        void unfoldRow(int r, int q0, int q1, float[] dst) {
            int taps = p.kH() * p.kW();
            int c = group * (p.inC() / p.groups()) + r / taps;
            int ki = r % taps / p.kW();
            RowSpan s = RowSpan.of(p, r % p.kW());
            for (int q = q0; q < q1; ) {
                int image = q / p.outArea();
                int oy = q % p.outArea() / p.outW();
                int ox = q % p.outW();
                int end = Math.min(q1, q - ox + p.outW());
                int iy = oy * p.g().strideH() - p.g().padH() + ki * p.g().dilationH();
                if (iy < 0 || iy >= p.inH()) {
                    Arrays.fill(dst, q - q0, end - q0, 0f);
                } else {
                    int plane = ((n0 + image) * p.inC() + c) * p.inArea();
                    copySpan(x, plane + iy * p.inW(), s, ox, ox + end - q, dst, q - q0);
                }
                q = end;
            }
        }
    }

    /**
     * Folds dcol [C kH kW, cnt H'W'] back onto images [n0, n0 + cnt) of dx, the adjoint of unfolding:
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

    /** dst[dstOff + x' - from] = src[srcRow + x0 + x' stride] for x' in [from, to), 0 outside the span. */
    private static void copySpan(float[] src, int srcRow, RowSpan s, int from, int to, float[] dst, int dstOff) {
        int lo = Math.clamp(s.lo(), from, to);
        int hi = Math.clamp(s.hi(), lo, to);
        int base = dstOff - from;
        Arrays.fill(dst, dstOff, base + lo, 0f);
        if (s.stride() == 1) {
            System.arraycopy(src, srcRow + s.x0() + lo, dst, base + lo, hi - lo);
        } else {
            for (int ox = lo; ox < hi; ox++) {
                dst[base + ox] = src[srcRow + s.x0() + ox * s.stride()];
            }
        }
        Arrays.fill(dst, base + hi, base + to, 0f);
    }

    /** dst[dstRow + x0 + x' stride] += src[srcOff + x'] for x' in the span: the adjoint of {@link #copySpan}. */
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
