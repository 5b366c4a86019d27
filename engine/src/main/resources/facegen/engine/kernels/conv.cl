/*
 * conv.cl: Op.Conv2d and its two adjoints, Op.Conv2dInputGrad and Op.Conv2dWeightGrad, as implicit GEMMs over the
 * taps of ReferenceKernels.convTaps:
 *   y[n, o, oh, ow] = sum_{c, kh, kw} x[n, g Cg + c, oh sH - pH + kh dH, ow sW - pW + kw dW] w[o, c, kh, kw],
 * g = o / Og the group of output channel o, Og = O / groups, Cg = C / groups, taps in the zero padding read 0.
 *
 * Per group g (and image n) each primitive is one matrix product Y[i, j] = sum_k A[i, k] B[k, j] whose operands are
 * read straight from the tensors (no im2col buffer):
 *   mode 0, conv2d:            i = o' (Og), j = (oh, ow),    k = (c, kh, kw);  A = w,  B = x at the tap
 *   mode 1, conv2d_input_grad: i = c (Cg),  j = (ih, iw),    k = (o', kh, kw); A = w,  B = dy at the output that
 *                              reads x[ih, iw] through (kh, kw): oh = (ih + pH - kh dH) / sH when exact, else 0
 *   mode 2, conv2d_weight_grad: i = o' (Og), j = (c, kh, kw), k = (n, oh, ow);  A = dy, B = x at the tap
 * Tiled and register-blocked as matmul.cl (64 x 64 output blocks per group of 16 x 16 items, 4 x 4 per item, 16-deep
 * slabs of A and B in shared memory); each output sums k in ascending order, so results are bit-identical from run
 * to run (no atomics).
 *
 * meta = [N, C, H, W, O, Cg, kH, kW, OH, OW, sH, sW, pH, pW, dH, dW, groups].
 */

#define BLOCK 64
#define DEPTH 16
#define THREADS 16
#define PER_THREAD 4 /* BLOCK / THREADS */

#define N_ meta[0]
#define C_ meta[1]
#define H_ meta[2]
#define W_ meta[3]
#define O_ meta[4]
#define CG meta[5]
#define KH meta[6]
#define KW meta[7]
#define OH meta[8]
#define OW meta[9]
#define SH meta[10]
#define SW meta[11]
#define PH meta[12]
#define PW meta[13]
#define DH meta[14]
#define DW meta[15]
#define GROUPS meta[16]
#define OG (O_ / GROUPS)

/* x[n, g Cg + c, oh sH - pH + kh dH, ow sW - pW + kw dW], or 0 in the padding. */
DEVICE float tap(GLOBAL const float* x, GLOBAL const int* meta, int n, int g, int c, int kh, int kw, int oh, int ow) {
    int ih = oh * SH - PH + kh * DH;
    int iw = ow * SW - PW + kw * DW;
    if (ih < 0 || ih >= H_ || iw < 0 || iw >= W_) return 0.0f;
    return x[((n * C_ + g * CG + c) * H_ + ih) * W_ + iw];
}

/* The GEMM extents (rows, cols, depth) and batch count of each mode. */
DEVICE void gemm_shape(int mode, GLOBAL const int* meta, int* rows, int* cols, int* depth, int* batches) {
    if (mode == 0) {
        *rows = OG; *cols = OH * OW; *depth = CG * KH * KW; *batches = N_ * GROUPS;
    } else if (mode == 1) {
        *rows = CG; *cols = H_ * W_; *depth = OG * KH * KW; *batches = N_ * GROUPS;
    } else {
        *rows = OG; *cols = CG * KH * KW; *depth = N_ * OH * OW; *batches = GROUPS;
    }
}

/* A[i, k] of batch z (z = n groups + g in modes 0 and 1, z = g in mode 2). */
DEVICE float gemm_a(int mode, GLOBAL const float* a, GLOBAL const int* meta, int z, int i, int k) {
    int g = z % GROUPS;
    if (mode == 0) return a[(g * OG + i) * (CG * KH * KW) + k];                   /* w[o, (c, kh, kw)] */
    if (mode == 1) {
        int o = k / (KH * KW);                                                    /* w[o, c = i, kh, kw] */
        return a[((g * OG + o) * CG + i) * (KH * KW) + k % (KH * KW)];
    }
    int n = k / (OH * OW);                                                        /* dy[n, o, (oh, ow)] */
    return a[(n * O_ + g * OG + i) * (OH * OW) + k % (OH * OW)];
}

/* B[k, j] of batch z. */
DEVICE float gemm_b(int mode, GLOBAL const float* b, GLOBAL const int* meta, int z, int k, int j) {
    int g = z % GROUPS;
    if (mode == 0) {                                                              /* k = (c, kh, kw), j = (oh, ow) */
        return tap(b, meta, z / GROUPS, g, k / (KH * KW), k / KW % KH, k % KW, j / OW, j % OW);
    }
    if (mode == 1) {                                                              /* k = (o', kh, kw), j = (ih, iw) */
        int kh = k / KW % KH;
        int kw = k % KW;
        int ohStrided = j / W_ + PH - kh * DH;
        int owStrided = j % W_ + PW - kw * DW;
        if (ohStrided < 0 || owStrided < 0 || ohStrided % SH != 0 || owStrided % SW != 0) return 0.0f;
        int oh = ohStrided / SH;
        int ow = owStrided / SW;
        if (oh >= OH || ow >= OW) return 0.0f;
        return b[(((z / GROUPS) * O_ + g * OG + k / (KH * KW)) * OH + oh) * OW + ow];
    }
    int p = k % (OH * OW);                                                        /* k = (n, oh, ow), j = (c, kh, kw) */
    return tap(b, meta, k / (OH * OW), g, j / (KH * KW), j / KW % KH, j % KW, p / OW, p % OW);
}

/* Where Y[i, j] of batch z goes: y[n, g Og + i, j], dx[n, g Cg + i, j] or dw[g Og + i, j]. */
DEVICE int gemm_y(int mode, GLOBAL const int* meta, int z, int i, int j) {
    int g = z % GROUPS;
    int n = z / GROUPS;
    if (mode == 0) return (n * O_ + g * OG + i) * (OH * OW) + j;
    if (mode == 1) return (n * C_ + g * CG + i) * (H_ * W_) + j;
    return (g * OG + i) * (CG * KH * KW) + j;
}

/* Y = A B for every batch, mode 0, 1 or 2 as above: a = w, b = x (conv2d); a = w, b = dy (input grad);
   a = dy, b = x (weight grad). Launch: group (THREADS, THREADS); dimension 0 walks batch x row-block x column-block
   tiles grid-stride. */
KERNEL void conv2d_gemm(GLOBAL float* y, GLOBAL const float* a, GLOBAL const float* b, GLOBAL const int* meta, int mode) {
    SHARED float aSlab[DEPTH][BLOCK + 1]; /* aSlab[p][i] = A[row0 + i, p0 + p] */
    SHARED float bSlab[DEPTH][BLOCK + 1]; /* bSlab[p][j] = B[p0 + p, col0 + j] */
    int tx = LOCAL_ID(0);
    int ty = LOCAL_ID(1);
    int item = ty * THREADS + tx;
    int rows, cols, depth, batches;
    gemm_shape(mode, meta, &rows, &cols, &depth, &batches);
    int rowBlocks = (rows + BLOCK - 1) / BLOCK;
    int colBlocks = (cols + BLOCK - 1) / BLOCK;
    int tiles = batches * rowBlocks * colBlocks;
    for (int t = GROUP_ID(0); t < tiles; t += NUM_GROUPS(0)) {
        int z = t / (rowBlocks * colBlocks);
        int row0 = (t / colBlocks) % rowBlocks * BLOCK;
        int col0 = t % colBlocks * BLOCK;
        float acc[PER_THREAD][PER_THREAD];
        for (int r = 0; r < PER_THREAD; r++) {
            for (int c = 0; c < PER_THREAD; c++) acc[r][c] = 0.0f;
        }
        for (int p0 = 0; p0 < depth; p0 += DEPTH) {
            /* 256 items stage 64 x 16 elements of each operand, 4 each, walking along k where memory is contiguous
               (A always; B in mode 2) and along j otherwise. */
            for (int l = 0; l < BLOCK * DEPTH / (THREADS * THREADS); l++) {
                int e = item + l * THREADS * THREADS;
                int i = e / DEPTH;
                int p = e % DEPTH;
                aSlab[p][i] = row0 + i < rows && p0 + p < depth ? gemm_a(mode, a, meta, z, row0 + i, p0 + p) : 0.0f;
                int j = mode == 2 ? e / DEPTH : e % BLOCK;
                int q = mode == 2 ? e % DEPTH : e / BLOCK;
                bSlab[q][j] = p0 + q < depth && col0 + j < cols ? gemm_b(mode, b, meta, z, p0 + q, col0 + j) : 0.0f;
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
                if (row < rows && col < cols) y[gemm_y(mode, meta, z, row, col)] = acc[r][c];
            }
        }
    }
}
