/*
 * matmul.cl: Op.MatMul, y[.., i, j] = sum_p op(a)[.., i, p] op(b)[.., p, j], op = transpose of the last two axes when
 * its flag is set; op(a) is [m, k], op(b) is [k, n], y is [m, n] per batch (batches laid out one after another).
 *
 * Tiled: a work-group of TILE x TILE items computes one TILE x TILE block of y; for each TILE-wide slab of p it
 * stages the matching blocks of op(a) and op(b) in shared memory (zero outside the matrices, so any m, n, k work)
 * and each item adds TILE products. Each y element sums p in ascending order: deterministic.
 * Launch: group (TILE, TILE); dimension 0 walks the batch x row-block x column-block tiles grid-stride.
 */

#define TILE 16

KERNEL void matmul(GLOBAL float* y, GLOBAL const float* a, GLOBAL const float* b, int batches, int m, int n, int k,
                   int transA, int transB) {
    SHARED float aTile[TILE][TILE];
    SHARED float bTile[TILE][TILE + 1]; /* + 1: reading a column does not hit one bank TILE times */
    int tx = LOCAL_ID(0); /* column within the block */
    int ty = LOCAL_ID(1); /* row within the block */
    int rowBlocks = (m + TILE - 1) / TILE;
    int colBlocks = (n + TILE - 1) / TILE;
    int tiles = batches * rowBlocks * colBlocks;
    for (int t = GROUP_ID(0); t < tiles; t += NUM_GROUPS(0)) {
        int batch = t / (rowBlocks * colBlocks);
        int row = (t / colBlocks) % rowBlocks * TILE + ty;
        int col = t % colBlocks * TILE + tx;
        GLOBAL const float* aBatch = a + batch * m * k;
        GLOBAL const float* bBatch = b + batch * k * n;
        float acc = 0.0f;
        for (int p0 = 0; p0 < k; p0 += TILE) {
            int ap = p0 + tx; /* op(a)[row, ap] */
            int bp = p0 + ty; /* op(b)[bp, col] */
            aTile[ty][tx] = row < m && ap < k ? aBatch[transA ? ap * m + row : row * k + ap] : 0.0f;
            bTile[ty][tx] = bp < k && col < n ? bBatch[transB ? col * k + bp : bp * n + col] : 0.0f;
            BARRIER();
            for (int q = 0; q < TILE; q++) {
                acc += aTile[ty][q] * bTile[q][tx];
            }
            BARRIER();
        }
        if (row < m && col < n) {
            y[batch * m * n + row * n + col] = acc;
        }
    }
}
