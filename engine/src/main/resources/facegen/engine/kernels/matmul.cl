/*
 * matmul.cl: Op.MatMul, y[.., i, j] = sum_p op(a)[.., i, p] op(b)[.., p, j], op = transpose of the last two axes when
 * its flag is set; op(a) is [m, k], op(b) is [k, n], y is [m, n] per batch (batches laid out one after another).
 *
 * Tiled with register blocking: a group of 16 x 16 work-items computes one BLOCK x BLOCK (64 x 64) block of y, each
 * item a 4 x 4 sub-grid (rows ty + 16 r, columns tx + 16 c, so neighbouring items touch neighbouring addresses).
 * For each DEPTH-wide slab of p the group stages the matching slabs of op(a) and op(b) in shared memory (zero
 * outside the matrices, so any m, n, k work), reading along whichever axis is contiguous in memory, and each item
 * then does DEPTH x 16 multiply-adds from registers. Each y element sums p in ascending order: deterministic.
 * Launch: group (16, 16); dimension 0 walks the batch x row-block x column-block tiles grid-stride.
 */

#define BLOCK 64
#define DEPTH 16
#define THREADS 16
#define PER_THREAD 4 /* BLOCK / THREADS */

KERNEL void matmul(GLOBAL float* y, GLOBAL const float* a, GLOBAL const float* b, int batches, int m, int n, int k,
                   int transA, int transB) {
    SHARED float aSlab[DEPTH][BLOCK + 1]; /* aSlab[p][i] = op(a)[row0 + i, p0 + p]; + 1 spreads column writes over banks */
    SHARED float bSlab[DEPTH][BLOCK + 1]; /* bSlab[p][j] = op(b)[p0 + p, col0 + j] */
    int tx = LOCAL_ID(0);
    int ty = LOCAL_ID(1);
    int item = ty * THREADS + tx;
    int rowBlocks = (m + BLOCK - 1) / BLOCK;
    int colBlocks = (n + BLOCK - 1) / BLOCK;
    int tiles = batches * rowBlocks * colBlocks;
    for (int t = GROUP_ID(0); t < tiles; t += NUM_GROUPS(0)) {
        int batch = t / (rowBlocks * colBlocks);
        int row0 = (t / colBlocks) % rowBlocks * BLOCK;
        int col0 = t % colBlocks * BLOCK;
        GLOBAL const float* aBatch = a + batch * m * k;
        GLOBAL const float* bBatch = b + batch * k * n;
        float acc[PER_THREAD][PER_THREAD];
        for (int r = 0; r < PER_THREAD; r++) {
            for (int c = 0; c < PER_THREAD; c++) acc[r][c] = 0.0f;
        }
        for (int p0 = 0; p0 < k; p0 += DEPTH) {
            /* 256 items stage 64 x 16 elements of each operand, 4 each; e walks the slab along contiguous memory. */
            for (int l = 0; l < BLOCK * DEPTH / (THREADS * THREADS); l++) {
                int e = item + l * THREADS * THREADS;
                int i = transA ? e % BLOCK : e / DEPTH;  /* a stored [k, m] is contiguous along i, else along p */
                int p = transA ? e / BLOCK : e % DEPTH;
                int row = row0 + i;
                aSlab[p][i] = row < m && p0 + p < k ? aBatch[transA ? (p0 + p) * m + row : row * k + p0 + p] : 0.0f;
                int j = transB ? e / DEPTH : e % BLOCK;  /* b stored [n, k] is contiguous along p, else along j */
                int q = transB ? e % DEPTH : e / BLOCK;
                int col = col0 + j;
                bSlab[q][j] = col < n && p0 + q < k ? bBatch[transB ? col * k + p0 + q : (p0 + q) * n + col] : 0.0f;
            }
            BARRIER();
            for (int p = 0; p < DEPTH; p++) {
                float av[PER_THREAD];
                float bv[PER_THREAD];
                for (int r = 0; r < PER_THREAD; r++) av[r] = aSlab[p][ty + THREADS * r];
                for (int c = 0; c < PER_THREAD; c++) bv[c] = bSlab[p][tx + THREADS * c];
                for (int r = 0; r < PER_THREAD; r++) {
                    for (int c = 0; c < PER_THREAD; c++) acc[r][c] += av[r] * bv[c];
                }
            }
            BARRIER();
        }
        for (int r = 0; r < PER_THREAD; r++) {
            for (int c = 0; c < PER_THREAD; c++) {
                int row = row0 + ty + THREADS * r;
                int col = col0 + tx + THREADS * c;
                if (row < m && col < n) y[batch * m * n + row * n + col] = acc[r][c];
            }
        }
    }
}
