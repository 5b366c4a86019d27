/*
 * conv.cl: Op.Conv2d and its two adjoints, Op.Conv2dInputGrad and Op.Conv2dWeightGrad, computed directly from the
 * taps of ReferenceKernels.convTaps:
 *   y[n, o, oh, ow] = sum_{c, kh, kw} x[n, g Cg + c, oh sH - pH + kh dH, ow sW - pW + kw dW] w[o, c, kh, kw],
 * g = o / (O / groups) the group of output channel o, Cg = C / groups, taps in the zero padding skipped.
 * Each kernel gathers: one work-item (or group) owns one output element and sums its taps in a fixed order, so no
 * atomics are needed and results are bit-identical from run to run.
 *
 * meta = [N, C, H, W, O, Cg, kH, kW, OH, OW, sH, sW, pH, pW, dH, dW, groups].
 */

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
#define WEIGHT_GROUP 256

/* y = conv2d(x, w): one work-item per y element. */
KERNEL void conv2d(GLOBAL float* y, GLOBAL const float* x, GLOBAL const float* w, GLOBAL const int* meta, int count) {
    for (int i = GLOBAL_ID(0); i < count; i += GROUP_SIZE(0) * NUM_GROUPS(0)) {
        int ow = i % OW;
        int oh = (i / OW) % OH;
        int o = (i / (OW * OH)) % O_;
        int n = i / (OW * OH * O_);
        int firstChannel = o / (O_ / GROUPS) * CG;
        float acc = 0.0f;
        for (int c = 0; c < CG; c++) {
            GLOBAL const float* xPlane = x + ((n * C_ + firstChannel + c) * H_) * W_;
            GLOBAL const float* wPlane = w + ((o * CG + c) * KH) * KW;
            for (int kh = 0; kh < KH; kh++) {
                int ih = oh * SH - PH + kh * DH;
                if (ih < 0 || ih >= H_) continue;
                for (int kw = 0; kw < KW; kw++) {
                    int iw = ow * SW - PW + kw * DW;
                    if (iw < 0 || iw >= W_) continue;
                    acc += xPlane[ih * W_ + iw] * wPlane[kh * KW + kw];
                }
            }
        }
        y[i] = acc;
    }
}

/* dx = conv2dInputGrad(dy, w): one work-item per dx element; dx[n, ci, ih, iw] = sum of dy[n, o, oh, ow] w[o, c, kh, kw]
   over the taps that read x[n, ci, ih, iw]: o in ci's group, oh = (ih + pH - kh dH) / sH when that divides exactly. */
KERNEL void conv2d_input_grad(GLOBAL float* dx, GLOBAL const float* dy, GLOBAL const float* w, GLOBAL const int* meta,
                              int count) {
    int outPerGroup = O_ / GROUPS;
    for (int i = GLOBAL_ID(0); i < count; i += GROUP_SIZE(0) * NUM_GROUPS(0)) {
        int iw = i % W_;
        int ih = (i / W_) % H_;
        int ci = (i / (W_ * H_)) % C_;
        int n = i / (W_ * H_ * C_);
        int g = ci / CG;
        int c = ci % CG;
        float acc = 0.0f;
        for (int o = g * outPerGroup; o < (g + 1) * outPerGroup; o++) {
            GLOBAL const float* dyPlane = dy + ((n * O_ + o) * OH) * OW;
            GLOBAL const float* wPlane = w + ((o * CG + c) * KH) * KW;
            for (int kh = 0; kh < KH; kh++) {
                int ohStrided = ih + PH - kh * DH;
                if (ohStrided < 0 || ohStrided % SH != 0 || ohStrided / SH >= OH) continue;
                for (int kw = 0; kw < KW; kw++) {
                    int owStrided = iw + PW - kw * DW;
                    if (owStrided < 0 || owStrided % SW != 0 || owStrided / SW >= OW) continue;
                    acc += dyPlane[(ohStrided / SH) * OW + owStrided / SW] * wPlane[kh * KW + kw];
                }
            }
        }
        dx[i] = acc;
    }
}

/* dw = conv2dWeightGrad(x, dy): one work-group per dw element; dw[o, c, kh, kw] = sum over (n, oh, ow) of
   x[n, g Cg + c, ih, iw] dy[n, o, oh, ow]. Item t sums positions t, t + G, ...; a tree then adds the G partials. */
KERNEL void conv2d_weight_grad(GLOBAL float* dw, GLOBAL const float* x, GLOBAL const float* dy, GLOBAL const int* meta,
                               int count) {
    SHARED float partial[WEIGHT_GROUP];
    int t = LOCAL_ID(0);
    int groupSize = GROUP_SIZE(0);
    int positions = N_ * OH * OW;
    for (int i = GROUP_ID(0); i < count; i += NUM_GROUPS(0)) {
        int kw = i % KW;
        int kh = (i / KW) % KH;
        int c = (i / (KW * KH)) % CG;
        int o = i / (KW * KH * CG);
        int channel = o / (O_ / GROUPS) * CG + c;
        float acc = 0.0f;
        for (int p = t; p < positions; p += groupSize) {
            int ow = p % OW;
            int oh = (p / OW) % OH;
            int n = p / (OW * OH);
            int ih = oh * SH - PH + kh * DH;
            int iw = ow * SW - PW + kw * DW;
            if (ih >= 0 && ih < H_ && iw >= 0 && iw < W_) {
                acc += x[((n * C_ + channel) * H_ + ih) * W_ + iw] * dy[((n * O_ + o) * OH + oh) * OW + ow];
            }
        }
        partial[t] = acc;
        BARRIER();
        for (int s = groupSize / 2; s > 0; s /= 2) {
            if (t < s) partial[t] += partial[t + s];
            BARRIER();
        }
        if (t == 0) dw[i] = partial[0];
        BARRIER();
    }
}
