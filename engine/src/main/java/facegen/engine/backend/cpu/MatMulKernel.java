package facegen.engine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * General matrix product {@code C = A B} or {@code C += A B} in float32, accumulated with fused multiply-add
 * (as OpenBLAS does), where A and B are strided views so transposed operands cost nothing extra.
 *
 * <p>Blocking scheme (GotoBLAS/BLIS family, loops from outside in), sized for the Zen 3 machines this was
 * measured on (32 KB L1d and 512 KB L2 per core, shared 32 MB L3):
 * <ol>
 *   <li>C is cut into tiles of whole {@link #NR}-column panels; the tiles are the parallel tasks. Tiles split N
 *       first (each task packs its own slice of B, nothing is packed twice) and split M only when N is too
 *       narrow to give every thread a panel.</li>
 *   <li>K is cut into blocks of {@link #KC}. A tile's {@code KC x width} slice of B is packed into micro-panels
 *       laid out k-major, at most {@link #MAX_TILE_COLUMNS} wide (512 KB, L2/L3), and every row of A streams
 *       past it. B is a {@link PanelSource}: a strided {@link Matrix}, or an operand that exists only as a rule
 *       for packing it (the unfolded image patches of a convolution).</li>
 *   <li>A is packed {@link #MC} rows at a time, in the source's own order (rows of A, or rows of A^T for a
 *       transposed view), into {@link #MR}-row micro-panels laid out k-major (5 KB, L1).</li>
 *   <li>Each A micro-panel is multiplied by every B micro-panel of the tile (16 KB each, streamed from L2).</li>
 *   <li>The micro-kernel keeps an {@code MR x NR} tile of C in 10 vector registers (5 rows x 2 vectors) and
 *       per k does 2 vector loads of B, 5 broadcasts of A and 10 FMAs: 13 registers in all. Measured on Zen 3
 *       (AVX2, 16 registers, peak 76 GFLOP/s per core) this ran at ~61 GFLOP/s; a 6 x 2 tile (15 registers)
 *       dropped to 38 and a 4 x 4 tile (21) to 20, because C2 spills once the 16 registers are nearly full;
 *       4 x 2 (8 accumulators) is FMA-latency bound at 49. On AVX-512 the same code runs 5 x 32 tiles.</li>
 * </ol>
 * Packing pads edges with zeros, so the micro-kernel always runs full; partial tiles go through a small
 * buffer. Callers must not rely on the summation order: it depends on {@link #KC}.
 */
final class MatMulKernel {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();

    /** Rows of the register tile. */
    static final int MR = 5;
    /** Columns of the register tile: two vectors (16 floats with AVX2, 32 with AVX-512). */
    static final int NR = 2 * LANES;
    /** Depth of a K block: B micro-panel KC x NR = 16 KB (AVX2), A slice MR x KC = 5 KB, both L1-sized. */
    static final int KC = 256;
    /** Widest tile: KC x 512 floats = 512 KB of packed B (narrower tiles measured no better). */
    static final int MAX_TILE_COLUMNS = 512;
    /** Rows of A packed together (a multiple of MR): 100 x KC floats = 100 KB. */
    static final int MC = 100;
    /** Most micro-panels in one tile. */
    static final int MAX_PANELS_PER_TILE = MAX_TILE_COLUMNS / NR;
    /** Scratch floats a {@link PanelSource} may use: one row of a tile or one K block. */
    static final int ROW_SCRATCH = Math.max(KC, MAX_TILE_COLUMNS);
    /** Products below this many flops run on one thread: a wake-up costs about as much. */
    static final long PARALLEL_MIN_FLOPS = 1L << 21;

    /**
     * The B operand as a producer of packed micro-panels, so a caller whose B is implicit can pack it straight
     * from its own layout ({@link Conv2dKernels} unfolds image patches here instead of materialising the
     * column matrix).
     */
    interface PanelSource {
        /**
         * Writes B(p0 + p, j) for p in [0, kc) and j in [j0, j1) to {@code dst[(j - j0) / NR][p NR + (j - j0) % NR]},
         * zeros in the last panel's columns past j1; {@code row} is scratch of {@link #ROW_SCRATCH} floats.
         */
        void pack(int p0, int kc, int j0, int j1, float[][] dst, float[] row);
    }

    /** Read-only strided view of a matrix: element (i, j) is {@code data[offset + i rowStride + j colStride]}. */
    record Matrix(float[] data, int offset, int rowStride, int colStride) implements PanelSource {

        /** A row-major matrix with {@code cols} columns starting at {@code offset}. */
        static Matrix rowMajor(float[] data, int offset, int cols) {
            return new Matrix(data, offset, cols, 1);
        }

        /** The transpose, as a view of the same elements. */
        Matrix transposed() {
            return new Matrix(data, offset, colStride, rowStride);
        }

        @Override
        public void pack(int p0, int kc, int j0, int j1, float[][] dst, float[] row) {
            if (colStride == 1) {
                for (int p = 0; p < kc; p++) {
                    dealRow(data, offset + (p0 + p) * rowStride + j0, j1 - j0, p, dst);
                }
            } else {
                for (int j = j0; j < j1; j += NR) {
                    packPanelFromColumns(this, p0, kc, j, Math.min(NR, j1 - j), dst[(j - j0) / NR]);
                }
            }
        }
    }

    /**
     * Per-thread packing buffers, reused across calls so packing never allocates. Every micro-panel is an
     * array of its own: the micro-kernel then indexes from 0, and C2 compiles {@code a[p * MR + r]} to about
     * twice the speed of {@code a[offset + p * MR + r]} (measured), its range checks no longer hoisting out.
     */
    private static final class Scratch {
        final float[][] packedB = new float[MAX_PANELS_PER_TILE][KC * NR];
        final float[][] packedA = new float[MC / MR][KC * MR];
        final float[] edge = new float[MR * NR];
        final float[] row = new float[ROW_SCRATCH];
    }

    private final WorkerPool pool;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    MatMulKernel(WorkerPool pool) {
        this.pool = pool;
    }

    /**
     * C = A B, or C += A B when {@code accumulate}: {@code C[i, j] (+)= sum_p A(i, p) B(p, j)} for
     * A m x k, B k x n and C row-major m x n at {@code c[cOff + i ldc + j]}. The result does not depend on the
     * thread count or on scheduling: every element of C is summed by one task, in a fixed order.
     */
    void multiply(int m, int n, int k, Matrix a, PanelSource b, float[] c, int cOff, int ldc, boolean accumulate) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
                }
            }
            return;
        }
        boolean parallel = 2L * m * n * k >= PARALLEL_MIN_FLOPS;
        int threads = parallel ? pool.threads() : 1;
        int panels = ceilDiv(n, NR);
        int nTiles;
        int mTiles;
        if (panels >= threads) {
            nTiles = threads * ceilDiv(panels, threads * MAX_PANELS_PER_TILE);
            mTiles = 1;
        } else {
            nTiles = panels;
            mTiles = Math.min(ceilDiv(threads, panels), ceilDiv(m, MR));
        }
        int rowsPerTile = ceilDiv(ceilDiv(m, mTiles), MR) * MR;
        pool.forEach(mTiles * nTiles, parallel, t -> {
            int mt = t / nTiles;
            int nt = t % nTiles;
            int i0 = mt * rowsPerTile;
            int j0 = (int) ((long) nt * panels / nTiles) * NR;
            int j1 = Math.min(n, (int) ((long) (nt + 1) * panels / nTiles) * NR);
            if (i0 < m) {
                tile(i0, Math.min(m, i0 + rowsPerTile), j0, j1, k, a, b, c, cOff, ldc, accumulate);
            }
        });
    }

    /** Computes rows [i0, i1) and columns [j0, j1) of C; j0 is a multiple of NR. */
    private void tile(int i0, int i1, int j0, int j1, int k, Matrix a, PanelSource b,
                      float[] c, int cOff, int ldc, boolean accumulate) {
        Scratch s = scratch.get();
        for (int p0 = 0; p0 < k; p0 += KC) {
            int kc = Math.min(KC, k - p0);
            boolean add = accumulate || p0 > 0;
            b.pack(p0, kc, j0, j1, s.packedB, s.row);
            for (int ib = i0; ib < i1; ib += MC) {
                int mc = Math.min(MC, i1 - ib);
                packA(a, ib, mc, p0, kc, s.packedA);
                for (int i = ib; i < ib + mc; i += MR) {
                    int mr = Math.min(MR, ib + mc - i);
                    float[] aPanel = s.packedA[(i - ib) / MR];
                    for (int j = j0; j < j1; j += NR) {
                        int nr = Math.min(NR, j1 - j);
                        float[] bPanel = s.packedB[(j - j0) / NR];
                        if (mr == MR && nr == NR) {
                            microKernel(kc, aPanel, bPanel, c, cOff + i * ldc + j, ldc, add);
                        } else {
                            microKernel(kc, aPanel, bPanel, s.edge, 0, NR, false);
                            storeEdge(s.edge, mr, nr, c, cOff + i * ldc + j, ldc, add);
                        }
                    }
                }
            }
        }
    }

    /**
     * Writes {@code src[off ..< off + width]} as k-row {@code p} of consecutive NR-column micro-panels, zero-padding
     * the last one. Packing B row by row keeps the hardware prefetcher streaming; going panel by panel instead
     * would read one cache line per row at a stride of the row length (16 KB for N = 4096), which ran at half speed.
     */
    static void dealRow(float[] src, int off, int width, int p, float[][] dst) {
        int full = width / NR * NR;
        int d = p * NR;
        for (int j = 0; j < full; j += NR) {
            float[] panel = dst[j / NR];
            FloatVector.fromArray(F, src, off + j).intoArray(panel, d);
            FloatVector.fromArray(F, src, off + j + LANES).intoArray(panel, d + LANES);
        }
        if (full < width) {
            float[] panel = dst[full / NR];
            Arrays.fill(panel, d, d + NR, 0f);
            System.arraycopy(src, off + full, panel, d, width - full);
        }
    }

    /** B is transposed (columns contiguous): walk each column along k so reads stay sequential. */
    private static void packPanelFromColumns(Matrix b, int p0, int kc, int j, int nr, float[] panel) {
        float[] src = b.data();
        int rs = b.rowStride();
        for (int jj = 0; jj < NR; jj++) {
            if (jj < nr) {
                int s = b.offset() + p0 * rs + (j + jj) * b.colStride();
                for (int p = 0; p < kc; p++) {
                    panel[p * NR + jj] = src[s + p * rs];
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    panel[p * NR + jj] = 0f;
                }
            }
        }
    }

    /**
     * Packs A(i0 .. i0+mc, p0 .. p0+kc) into MR-row micro-panels, each k-major with MR values per k, zero rows
     * past mc. The source is read in its own order (rows of A, or rows of A^T when A is a transposed view),
     * because gathering MR values per k from a transposed A strides through memory one row of A^T per k.
     */
    private static void packA(Matrix a, int i0, int mc, int p0, int kc, float[][] dst) {
        float[] src = a.data();
        int full = mc / MR * MR;
        if (a.colStride() == 1) {
            for (int r0 = 0; r0 < full; r0 += MR) {
                float[] panel = dst[r0 / MR];
                int s = a.offset() + (i0 + r0) * a.rowStride() + p0;
                for (int p = 0; p < kc; p++) {
                    for (int r = 0; r < MR; r++) {
                        panel[p * MR + r] = src[s + r * a.rowStride() + p];
                    }
                }
            }
        } else {
            for (int p = 0; p < kc; p++) {
                int s = a.offset() + (p0 + p) * a.colStride() + i0 * a.rowStride();
                for (int r0 = 0; r0 < full; r0 += MR) {
                    float[] panel = dst[r0 / MR];
                    for (int r = 0; r < MR; r++) {
                        panel[p * MR + r] = src[s + (r0 + r) * a.rowStride()];
                    }
                }
            }
        }
        if (full < mc) {
            float[] panel = dst[full / MR];
            for (int p = 0; p < kc; p++) {
                for (int r = 0; r < MR; r++) {
                    panel[p * MR + r] = full + r < mc ? src[a.offset() + (i0 + full + r) * a.rowStride() + (p0 + p) * a.colStride()] : 0f;
                }
            }
        }
    }

    /** C tile (MR x NR at c[cOff], row stride ldc) (+)= packed A micro-panel x packed B micro-panel, depth kc. */
    private static void microKernel(int kc, float[] a, float[] b, float[] c, int cOff, int ldc, boolean add) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00;
        for (int p = 0; p < kc; p++) {
            int ai = p * MR;
            int bi = p * NR;
            FloatVector b0 = FloatVector.fromArray(F, b, bi);
            FloatVector b1 = FloatVector.fromArray(F, b, bi + LANES);
            FloatVector a0 = FloatVector.broadcast(F, a[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(F, a[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(F, a[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(F, a[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(F, a[ai + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
        }
        storeRow(c00, c01, c, cOff, add);
        storeRow(c10, c11, c, cOff + ldc, add);
        storeRow(c20, c21, c, cOff + 2 * ldc, add);
        storeRow(c30, c31, c, cOff + 3 * ldc, add);
        storeRow(c40, c41, c, cOff + 4 * ldc, add);
    }

    private static void storeRow(FloatVector v0, FloatVector v1, float[] c, int off, boolean add) {
        if (add) {
            v0 = v0.add(FloatVector.fromArray(F, c, off));
            v1 = v1.add(FloatVector.fromArray(F, c, off + LANES));
        }
        v0.intoArray(c, off);
        v1.intoArray(c, off + LANES);
    }

    /** Copies the valid mr x nr corner of a full-tile buffer into C. */
    private static void storeEdge(float[] edge, int mr, int nr, float[] c, int cOff, int ldc, boolean add) {
        for (int r = 0; r < mr; r++) {
            int row = cOff + r * ldc;
            for (int j = 0; j < nr; j++) {
                c[row + j] = add ? c[row + j] + edge[r * NR + j] : edge[r * NR + j];
            }
        }
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
