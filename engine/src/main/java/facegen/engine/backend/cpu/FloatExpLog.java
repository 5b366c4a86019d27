package facegen.engine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp, log and pow of float32 values by a fixed sequence of IEEE operations, so the result is the same bits in the
 * interpreter, C1 and C2 alike. The JDK's {@code VectorOperators.EXP / LOG / POW} are not: C2 maps them to
 * SVML-style stubs, the interpreter and C1 call {@link Math} per lane, and the two differ in the last bit.
 * Only add, multiply, fused multiply-add (exactly rounded by its specification), compares and bit moves appear.
 *
 * <p>exp (SLEEF {@code xexpf}): with n = round(x / ln 2), the reduced argument r = x - n ln 2 lies in
 * [-ln2/2, ln2/2]; it is computed Cody–Waite style with ln 2 split into {@link #LN2_HI} + {@link #LN2_LO} (the
 * first product is exact). e^r = 1 + r + r^2 p(r) with SLEEF's degree-5 minimax p, and e^x = e^r 2^n, the
 * power of two applied in two halves so that results down to the subnormals round only once. x is clamped
 * to [{@link #EXP_MIN}, {@link #EXP_MAX}] first: beyond it the result is 0 or infinity anyway.
 *
 * <p>log (Cephes {@code logf}): x = m 2^e with m in [sqrt(1/2), sqrt(2)), read off the bits (subnormals are
 * scaled by 2^23 first); with f = m - 1, ln m = f - f^2/2 + f^3 q(f) with Cephes' degree-8 minimax q, and
 * ln x = ln m + e ln 2 with ln 2 again split in two. NaN, negatives (NaN), zeros (-inf) and +inf are patched
 * in afterwards, only for the vectors that hold one.
 *
 * <p>pow x^y = e^(y ln x) needs ln x to about 2^-40 to keep the 2^-24 relative error of the result once y ln x
 * is large (|y ln x| reaches 104 before float underflows), so it is evaluated per element in double with the
 * same method (series for ln, Taylor for exp, both with plain double arithmetic, which Java defines exactly)
 * after the sign, zero, infinity and integer-exponent cases of {@link Math#pow}, which the reference defines.
 *
 * <p>Accuracy (measured by {@code CpuExpLogTest} against float64 {@link Math}): exp and log within 1 ulp,
 * pow within 1 ulp, over the whole float range including subnormal arguments and results.
 */
final class FloatExpLog {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();

    /** Below this, e^x rounds to 0 even as the smallest subnormal (2^-149 = e^-103.28). */
    static final float EXP_MIN = -104f;
    /** Above this, e^x overflows (ln of the largest float is 88.72). */
    static final float EXP_MAX = 89f;
    private static final float LOG2E = 1.44269504088896341f;
    private static final float ROUNDING_SHIFT = FloatTrig.ROUNDING_SHIFT;
    private static final int ROUNDING_SHIFT_BITS = Float.floatToRawIntBits(ROUNDING_SHIFT);
    /** ln 2 = LN2_HI + LN2_LO; LN2_HI has 16 significant bits, so n LN2_HI is exact for |n| < 2^8. */
    private static final float LN2_HI = 0.693145751953125f;
    private static final float LN2_LO = 1.428606765330187045e-6f;
    /** SLEEF xexpf: e^r = 1 + r + r^2 (E0 r^5 + ... + E5), minimax on [-ln2/2, ln2/2]. */
    private static final float E0 = 0.000198527617612853646278381f;
    private static final float E1 = 0.00139304355252534151077271f;
    private static final float E2 = 0.00833336077630519866943359f;
    private static final float E3 = 0.0416664853692054748535156f;
    private static final float E4 = 0.166666671633720397949219f;
    private static final float E5 = 0.5f;

    private static final float SQRT_HALF = 0.707106781186547524f;
    /** Cephes logf: ln(1 + f) = f - f^2/2 + f^3 (L0 f^8 + ... + L8), minimax on [sqrt(1/2) - 1, sqrt(2) - 1]. */
    private static final float L0 = 7.0376836292e-2f;
    private static final float L1 = -1.1514610310e-1f;
    private static final float L2 = 1.1676998740e-1f;
    private static final float L3 = -1.2420140846e-1f;
    private static final float L4 = 1.4249322787e-1f;
    private static final float L5 = -1.6668057665e-1f;
    private static final float L6 = 2.0000714765e-1f;
    private static final float L7 = -2.4999993993e-1f;
    private static final float L8 = 3.3333331174e-1f;
    /** Cephes' split of ln 2 for log: 0.693359375 (9 bits, so e times it is exact) - 2.12194440e-4. */
    private static final float LOG_LN2_HI = 0.693359375f;
    private static final float LOG_LN2_LO = -2.12194440e-4f;
    /** 2^23, which lifts a subnormal into the normal range. */
    private static final float TWO_23 = 8388608f;

    private FloatExpLog() {}

    /** y[i] = e^x[i] for i in [from, to); x and y must not overlap. */
    static void exp(float[] in, float[] out, int from, int to) {
        if (to - from < LANES) {
            padded(in, out, from, to, true);
            return;
        }
        for (int next = from; next < to; next += LANES) {
            // a ragged end recomputes the last full vector (overlapping its predecessor): no masked loads and stores
            int i = Math.min(next, to - LANES);
            // max/min keep NaN (as Math.max/min), which then runs through as NaN
            FloatVector x = FloatVector.fromArray(F, in, i).max(EXP_MIN).min(EXP_MAX);
            FloatVector shifted = x.fma(LOG2E, ROUNDING_SHIFT);
            FloatVector n = shifted.sub(ROUNDING_SHIFT);
            IntVector ni = ((IntVector) shifted.reinterpretAsInts()).sub(ROUNDING_SHIFT_BITS);
            FloatVector r = n.fma(splat(-LN2_HI), x);
            r = n.fma(splat(-LN2_LO), r);
            FloatVector p = r.fma(E0, E1).fma(r, splat(E2)).fma(r, splat(E3)).fma(r, splat(E4)).fma(r, splat(E5));
            FloatVector er = p.mul(r.mul(r)).add(r).add(1f);
            // 2^n = 2^(n >> 1) 2^(n - (n >> 1)): each half is a normal float for n in [-150, 129]
            IntVector half = ni.lanewise(VectorOperators.ASHR, 1);
            FloatVector s1 = (FloatVector) half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector s2 = (FloatVector) ni.sub(half).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            er.mul(s1).mul(s2).intoArray(out, i);
        }
    }

    /** y[i] = ln x[i] for i in [from, to) (NaN below 0, -inf at +-0); x and y must not overlap. */
    static void log(float[] in, float[] out, int from, int to) {
        if (to - from < LANES) {
            padded(in, out, from, to, false);
            return;
        }
        for (int next = from; next < to; next += LANES) {
            int i = Math.min(next, to - LANES);
            FloatVector x = FloatVector.fromArray(F, in, i);
            VectorMask<Float> subnormal = x.compare(VectorOperators.LT, Float.MIN_NORMAL);
            FloatVector scaled = x.blend(x.mul(TWO_23), subnormal);
            IntVector bits = (IntVector) scaled.reinterpretAsInts();
            // scaled = m 2^e with m in [1/2, 1): exponent field minus 126, and 23 less for a scaled subnormal
            IntVector e = bits.lanewise(VectorOperators.LSHR, 23).sub(126)
                    .blend(bits.lanewise(VectorOperators.LSHR, 23).sub(126 + 23), subnormal.cast(IntVector.SPECIES_PREFERRED));
            FloatVector m = (FloatVector) bits.and(0x007fffff).or(0x3f000000).reinterpretAsFloats();
            // m < sqrt(1/2): use 2m in [1, sqrt 2) and one less in the exponent (2m - 1 is exact, Sterbenz)
            VectorMask<Float> low = m.compare(VectorOperators.LT, SQRT_HALF);
            FloatVector f = m.add(m.blend(0f, low.not())).sub(1f);
            FloatVector ef = ((FloatVector) e.convert(VectorOperators.I2F, 0)).sub(FloatVector.zero(F).blend(1f, low));
            FloatVector z = f.mul(f);
            FloatVector q = f.fma(L0, L1).fma(f, splat(L2)).fma(f, splat(L3)).fma(f, splat(L4)).fma(f, splat(L5))
                    .fma(f, splat(L6)).fma(f, splat(L7)).fma(f, splat(L8));
            FloatVector y = q.mul(f).mul(z);
            y = ef.fma(splat(LOG_LN2_LO), y);
            y = z.fma(splat(-0.5f), y);
            y = ef.fma(splat(LOG_LN2_HI), f.add(y));
            // x <= 0, NaN and +inf: NaN and +inf compare false to "x < inf", x <= 0 compares true to "x <= 0"
            VectorMask<Float> special = x.compare(VectorOperators.LE, 0f).or(x.compare(VectorOperators.LT,
                    Float.POSITIVE_INFINITY).not());
            if (special.anyTrue()) {
                y = y.blend(x, x.compare(VectorOperators.LT, Float.POSITIVE_INFINITY).not())   // NaN stays, +inf -> +inf
                        .blend(Float.NaN, x.compare(VectorOperators.LT, 0f))
                        .blend(Float.NEGATIVE_INFINITY, x.compare(VectorOperators.EQ, 0f));
            }
            y.intoArray(out, i);
        }
    }

    /** A range shorter than a vector: run through the vector code in a zero-padded copy (same arithmetic). */
    private static void padded(float[] in, float[] out, int from, int to, boolean exp) {
        float[] x = new float[LANES];
        float[] y = new float[LANES];
        System.arraycopy(in, from, x, 0, to - from);
        if (exp) {
            exp(x, y, 0, LANES);
        } else {
            log(x, y, 0, LANES);
        }
        System.arraycopy(y, 0, out, from, to - from);
    }

    private static FloatVector splat(float v) {
        return FloatVector.broadcast(F, v);
    }

    // ------------------------------------------------------------------ pow, per element in double

    /** ln 2 split as in fdlibm: n LN2_HI_D is exact for |n| < 2^11. */
    private static final double LN2_HI_D = 6.93147180369123816490e-01;
    private static final double LN2_LO_D = 1.90821492927058770002e-10;
    private static final double LN2_D = 0.6931471805599453;
    private static final double SQRT2_D = 1.4142135623730951;
    /** |y ln x| beyond this gives 0 or infinity in float32 (and keeps 2^n inside the double range). */
    private static final double POW_EXPONENT_LIMIT = 200;

    /**
     * x^y rounded to float, with the special cases of {@link Math#pow}: y = +-0 gives 1; NaN in gives NaN; a
     * negative finite x needs an integer y (NaN otherwise) and an odd y makes the result negative, which also
     * decides the sign of (-0)^y and (-inf)^y; |x| = 1 with infinite y is NaN.
     */
    static float pow(float x, float y) {
        if (y == 0) {
            return 1f;
        }
        if (Float.isNaN(x) || Float.isNaN(y)) {
            return Float.NaN;
        }
        boolean integer = y == (float) Math.rint(y);
        // floats from 2^24 up are even integers
        boolean odd = integer && Math.abs(y) < 16777216f && ((int) y & 1) != 0;
        boolean negativeBase = Float.floatToRawIntBits(x) < 0;
        if (negativeBase && !integer && Float.isFinite(x) && x != 0) {
            return Float.NaN;
        }
        double magnitude = powOfMagnitude(Math.abs((double) x), y);
        return (float) (negativeBase && odd ? -magnitude : magnitude);
    }

    /** a^y for a >= 0 (zero and infinity included) and y neither 0 nor NaN. */
    private static double powOfMagnitude(double a, double y) {
        if (Double.isInfinite(y)) {
            return a == 1 ? Double.NaN : (a > 1) == (y > 0) ? Double.POSITIVE_INFINITY : 0;
        }
        if (a == 0 || a == Double.POSITIVE_INFINITY) {
            return (a == 0) == (y > 0) ? 0 : Double.POSITIVE_INFINITY;
        }
        double t = y * logOfPositive(a);
        return expOf(Math.clamp(t, -POW_EXPONENT_LIMIT, POW_EXPONENT_LIMIT));
    }

    /**
     * ln a for a finite a > 0: a = m 2^e with m in [sqrt(1/2), sqrt 2), and with s = (m - 1)/(m + 1),
     * ln m = 2 atanh s = 2 (s + s^3/3 + s^5/5 + ...); |s| <= 0.1716, so terms to s^19 leave < 2^-52.
     */
    private static double logOfPositive(double a) {
        int e = Math.getExponent(a);
        double m = Math.scalb(a, -e);
        if (m > SQRT2_D) {
            m *= 0.5;
            e++;
        }
        double s = (m - 1) / (m + 1);
        double s2 = s * s;
        double series = 1.0 / 19;
        for (int k = 17; k >= 3; k -= 2) {
            series = series * s2 + 1.0 / k;
        }
        double lnM = 2 * s + 2 * s * s2 * series;
        return e * LN2_HI_D + (lnM + e * LN2_LO_D);
    }

    /**
     * e^t for |t| <= {@link #POW_EXPONENT_LIMIT}: n = round(t / ln 2), r = t - n ln 2 in [-0.35, 0.35] (two-part
     * ln 2), e^r by its Taylor series to r^13 (truncation below 2^-60), times 2^n exactly by {@link Math#scalb}.
     */
    private static double expOf(double t) {
        double n = Math.rint(t / LN2_D);
        double r = (t - n * LN2_HI_D) - n * LN2_LO_D;
        double sum = 1.0 / 6227020800.0; // 1/13!
        double factorial = 6227020800.0;
        for (int k = 13; k >= 1; k--) {
            factorial /= k;
            sum = sum * r + 1.0 / factorial;
        }
        return Math.scalb(sum, (int) n);
    }
}
