package facegen.engine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * sin and cos of float32 vectors, in vector registers throughout: the JDK's {@code VectorOperators.SIN} / {@code COS}
 * are not intrinsified on AVX2 (they run lane by lane, ~7 ms per 1M floats against ~0.3 ms for {@code EXP}).
 *
 * <p>Method (as Cephes {@code sinf} and SLEEF): with q = round(x 2/pi), the reduced argument r = x - q pi/2 lies in
 * [-pi/4, pi/4]; it is computed Cody–Waite style with pi/2 split into three floats {@link #PIO2_1} + {@link #PIO2_2}
 * + {@link #PIO2_3}, one FMA each (the first one is exact). Then sin r and cos r come from Cephes' minimax
 * polynomials, and the quadrant q mod 4 picks one of them and its sign: sin x = (sin r, cos r, -sin r, -cos r),
 * cos x = sin(x + pi/2) one quadrant on.
 *
 * <p>Accuracy: within 2 ulp of the exact value for |x| <= {@link #LIMIT} (measured max 1.6 ulp, for sin and cos
 * alike, over 8 10^6 random arguments in that range and 8 10^6 evenly spaced ones in [-4, 4];
 * {@code CpuKernelsTest} asserts the 2 ulp bound). Beyond
 * {@link #LIMIT}, where the three-part reduction loses bits, and for NaN and infinities, the lane takes
 * {@link StrictMath#sin} / {@link StrictMath#cos} instead (slow, but exact, rare, and unlike {@link Math} the same
 * bits whether interpreted or compiled).
 */
final class FloatTrig {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();

    /** Largest |x| reduced in vector registers; the quadrant q stays below 2^13. */
    static final float LIMIT = 1e4f;
    private static final float TWO_OVER_PI = 0.636619772f;
    /** 1.5 2^23: adding it rounds a float of magnitude below 2^22 to an integer, left in the low mantissa bits. */
    static final float ROUNDING_SHIFT = 12582912f;
    /** pi/2 rounded to float: q PIO2_1 is a multiple of 2^-23, so x - q PIO2_1 is exact. */
    private static final float PIO2_1 = 1.57079637f;
    private static final float PIO2_2 = -4.37113883e-8f;
    private static final float PIO2_3 = -1.71512451e-15f;
    /** Cephes sinf: sin r = r + r^3 (S1 + S2 r^2 + S3 r^4) on |r| <= pi/4. */
    private static final float S1 = -1.6666654611e-1f;
    private static final float S2 = 8.3321608736e-3f;
    private static final float S3 = -1.9515295891e-4f;
    /** Cephes cosf: cos r = 1 - r^2/2 + r^4 (C1 + C2 r^2 + C3 r^4) on |r| <= pi/4. */
    private static final float C1 = 4.166664568298827e-2f;
    private static final float C2 = -1.388731625493765e-3f;
    private static final float C3 = 2.443315711809948e-5f;

    private FloatTrig() {}

    /** y[i] = sin x[i] for i in [from, to); x and y must not overlap. */
    static void sin(float[] x, float[] y, int from, int to) {
        evaluate(x, y, from, to, 0);
    }

    /** y[i] = cos x[i] for i in [from, to); x and y must not overlap. */
    static void cos(float[] x, float[] y, int from, int to) {
        evaluate(x, y, from, to, 1);
    }

    /**
     * y[i] = sin(x[i] + shift pi/2): the quadrant of x moved on by {@code shift}. The loop and the math share one
     * method body on purpose: as a per-vector helper the code is big enough that C2 declines to inline it once
     * compiled on its own, and a vector passed to a call that is not inlined is boxed (10x slower, measured).
     */
    private static void evaluate(float[] in, float[] out, int from, int to, int shift) {
        if (to - from < LANES) {
            exactLanes(in, out, from, to, shift, -1f);
            return;
        }
        for (int next = from; next < to; next += LANES) {
            // a ragged end recomputes the last full vector (overlapping its predecessor): no masked loads and stores
            int i = Math.min(next, to - LANES);
            FloatVector x = FloatVector.fromArray(F, in, i);
            FloatVector shifted = x.fma(TWO_OVER_PI, ROUNDING_SHIFT);
            FloatVector q = shifted.sub(ROUNDING_SHIFT);
            IntVector quadrant = ((IntVector) shifted.reinterpretAsInts()).add(shift);
            FloatVector r = q.fma(splat(-PIO2_1), x);
            r = q.fma(splat(-PIO2_2), r);
            r = q.fma(splat(-PIO2_3), r);
            FloatVector z = r.mul(r);
            FloatVector sinR = z.fma(S3, S2).fma(z, splat(S1)).mul(z).fma(r, r);
            FloatVector cosR = z.fma(C3, C2).fma(z, splat(C1)).mul(z).mul(z).add(z.fma(-0.5f, 1f));
            // odd quadrants take cos r (a lane mask of all ones from bit 0); quadrants 2 and 3 flip the sign (bit 1)
            IntVector odd = quadrant.lanewise(VectorOperators.LSHL, 31).lanewise(VectorOperators.ASHR, 31);
            IntVector sign = quadrant.and(2).lanewise(VectorOperators.LSHL, 30);
            IntVector bits = ((IntVector) sinR.reinterpretAsInts()).lanewise(VectorOperators.AND_NOT, odd)
                    .or(((IntVector) cosR.reinterpretAsInts()).and(odd))
                    .lanewise(VectorOperators.XOR, sign);
            FloatVector y = (FloatVector) bits.reinterpretAsFloats();
            if (shift == 0) {
                // sin(-0) = -0, which the polynomial's r + (+0) loses
                y = y.blend(x, x.compare(VectorOperators.EQ, 0f));
            }
            y.intoArray(out, i);
            // |x| > LIMIT, infinities and NaN all compare greater as magnitude bits
            if (((IntVector) x.reinterpretAsInts()).and(0x7fffffff)
                    .compare(VectorOperators.GT, Float.floatToRawIntBits(LIMIT)).anyTrue()) {
                exactLanes(in, out, i, i + LANES, shift, LIMIT);
            }
        }
    }

    private static FloatVector splat(float v) {
        return FloatVector.broadcast(F, v);
    }

    /** out[i] = sin(in[i] + shift pi/2) by {@link StrictMath} for the i in [from, to) with |in[i]| beyond {@code limit} or NaN. */
    private static void exactLanes(float[] in, float[] out, int from, int to, int shift, float limit) {
        for (int i = from; i < to; i++) {
            if (!(Math.abs(in[i]) <= limit)) {
                out[i] = (float) (shift == 0 ? StrictMath.sin(in[i]) : StrictMath.cos(in[i]));
            }
        }
    }
}
