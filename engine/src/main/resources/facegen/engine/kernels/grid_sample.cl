/*
 * grid_sample.cl: Op.GridSample (bilinear, zero padding, align_corners=False) and its two gradients, walking the
 * taps of ReferenceKernels.bilinearTaps: for (gx, gy) = grid[n, i, j], ix = ((gx + 1) W - 1) / 2, x0 = floor(ix),
 * wx_0 = x0 + 1 - ix, wx_1 = ix - x0 (likewise iy, y0, wy with gy and H); corner (a, b) of the sample reads
 * x[n, c, y0 + b, x0 + a] with weight wx_a wy_b and is skipped outside the image.
 * x [N, C, H, W], grid [N, Ho, Wo, 2], y [N, C, Ho, Wo]; a sample s = (n Ho + i) Wo + j has corners q = 2 b + a.
 *
 * The input gradient scatters dy to up to four pixels per sample. Without float atomics: grid_sample_taps writes
 * each corner's target pixel and weight, the host sorts corner ids by target pixel (CSR, ascending), and
 * grid_sample_input_grad lets each dx element sum its own corners in that fixed order (deterministic).
 */

/* Pixel coordinate ((g + 1) size - 1) / 2, its floor, and the weights of the lower and upper neighbour. */
DEVICE void bilinear_axis(float g, int size, int* lo, float* wLo, float* wHi) {
    float p = ((g + 1.0f) * size - 1.0f) / 2.0f;
    float f = FLOORF(p);
    *lo = (int) f;
    *wLo = f + 1.0f - p;
    *wHi = p - f;
}

/* y[n, c, i, j] = sum over in-image corners of wx_a wy_b x[n, c, y0 + b, x0 + a]; one work-item per y element. */
KERNEL void grid_sample(GLOBAL float* y, GLOBAL const float* x, GLOBAL const float* grid, int channels, int h, int w,
                        int outH, int outW, int count) {
    for (int e = GLOBAL_ID(0); e < count; e += GROUP_SIZE(0) * NUM_GROUPS(0)) {
        int j = e % outW;
        int i = (e / outW) % outH;
        int nc = e / (outW * outH);
        int n = nc / channels;
        int s = (n * outH + i) * outW + j;
        int x0, y0;
        float wx[2], wy[2];
        bilinear_axis(grid[2 * s], w, &x0, &wx[0], &wx[1]);
        bilinear_axis(grid[2 * s + 1], h, &y0, &wy[0], &wy[1]);
        GLOBAL const float* plane = x + nc * h * w;
        float acc = 0.0f;
        for (int b = 0; b < 2; b++) {
            for (int a = 0; a < 2; a++) {
                int px = x0 + a;
                int py = y0 + b;
                if (px < 0 || px >= w || py < 0 || py >= h) continue;
                acc += wx[a] * wy[b] * plane[py * w + px];
            }
        }
        y[e] = acc;
    }
}

/* dgrid[n, i, j] = sum over in-image corners and channels of dy x (d wx_a wy_b / d gx, d wx_a wy_b / d gy), with
   d wx_a / d gx = (a == 0 ? -1 : 1) W / 2 and d wy_b / d gy = (b == 0 ? -1 : 1) H / 2; one work-item per sample. */
KERNEL void grid_sample_grid_grad(GLOBAL float* dgrid, GLOBAL const float* x, GLOBAL const float* grid,
                                  GLOBAL const float* dy, int channels, int h, int w, int outH, int outW, int samples) {
    for (int s = GLOBAL_ID(0); s < samples; s += GROUP_SIZE(0) * NUM_GROUPS(0)) {
        int n = s / (outH * outW);
        int ij = s % (outH * outW);
        int x0, y0;
        float wx[2], wy[2];
        bilinear_axis(grid[2 * s], w, &x0, &wx[0], &wx[1]);
        bilinear_axis(grid[2 * s + 1], h, &y0, &wy[0], &wy[1]);
        float dgx = 0.0f;
        float dgy = 0.0f;
        for (int b = 0; b < 2; b++) {
            for (int a = 0; a < 2; a++) {
                int px = x0 + a;
                int py = y0 + b;
                if (px < 0 || px >= w || py < 0 || py >= h) continue;
                float dWeightDgx = (a == 0 ? -1.0f : 1.0f) * wy[b] * w / 2.0f;
                float dWeightDgy = wx[a] * (b == 0 ? -1.0f : 1.0f) * h / 2.0f;
                for (int c = 0; c < channels; c++) {
                    float dyTimesX = dy[(n * channels + c) * outH * outW + ij] * x[((n * channels + c) * h + py) * w + px];
                    dgx += dyTimesX * dWeightDgx;
                    dgy += dyTimesX * dWeightDgy;
                }
            }
        }
        dgrid[2 * s] = dgx;
        dgrid[2 * s + 1] = dgy;
    }
}

/* For corner q of sample s (id 4 s + q): target[id] = its pixel (n H + py) W + px, or -1 outside the image, and
   weight[id] = wx_a wy_b. One work-item per corner. */
KERNEL void grid_sample_taps(GLOBAL int* target, GLOBAL float* weight, GLOBAL const float* grid, int h, int w,
                             int outH, int outW, int corners) {
    for (int id = GLOBAL_ID(0); id < corners; id += GROUP_SIZE(0) * NUM_GROUPS(0)) {
        int s = id / 4;
        int a = id % 2;
        int b = (id / 2) % 2;
        int n = s / (outH * outW);
        int x0, y0;
        float wx[2], wy[2];
        bilinear_axis(grid[2 * s], w, &x0, &wx[0], &wx[1]);
        bilinear_axis(grid[2 * s + 1], h, &y0, &wy[0], &wy[1]);
        int px = x0 + a;
        int py = y0 + b;
        int inside = px >= 0 && px < w && py >= 0 && py < h;
        target[id] = inside ? (n * h + py) * w + px : -1;
        weight[id] = wx[a] * wy[b];
    }
}

/* dx[n, c, py, px] = sum over e in [start[p], start[p + 1]) of weight[id] dy[n, c, i, j], p = (n H + py) W + px,
   id = corners[e] = 4 s + q and s = (n Ho + i) Wo + j: the adjoint of grid_sample, gathered per pixel. */
KERNEL void grid_sample_input_grad(GLOBAL float* dx, GLOBAL const float* dy, GLOBAL const int* start,
                                   GLOBAL const int* corners, GLOBAL const float* weight, int channels, int h, int w,
                                   int outH, int outW, int count) {
    for (int e = GLOBAL_ID(0); e < count; e += GROUP_SIZE(0) * NUM_GROUPS(0)) {
        int pixel = e % (h * w);
        int nc = e / (h * w);
        int n = nc / channels;
        int p = n * h * w + pixel;
        GLOBAL const float* dyPlane = dy + nc * outH * outW;
        float acc = 0.0f;
        for (int k = start[p]; k < start[p + 1]; k++) {
            int id = corners[k];
            acc += weight[id] * dyPlane[id / 4 - n * outH * outW];
        }
        dx[e] = acc;
    }
}
