package facegen.engine.backend.cpu;

import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.function.DoubleUnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * {@link FloatExpLog} against float64 {@link Math}: within {@link #MAX_ULPS} ulp (of the float result) over the
 * whole float range, and exactly the IEEE / {@link Math#pow} answers at NaN, infinities, zeros, negative
 * arguments, overflow and underflow.
 */
class CpuExpLogTest {

    private static final double MAX_ULPS = 1.0;

    /** Distance of a float result from the exact value in ulp of the rounded exact value; infinities must match. */
    private static double ulps(float got, double want) {
        float rounded = (float) want;
        if (Float.isInfinite(rounded) || Float.isNaN(rounded)) {
            return Float.compare(got, rounded) == 0 ? 0 : Double.POSITIVE_INFINITY;
        }
        return Math.abs(got - want) / Math.ulp(rounded);
    }

    private static void assertWithinUlps(String what, float[] x, float[] got, DoubleUnaryOperator exact) {
        for (int i = 0; i < x.length; i++) {
            double want = exact.applyAsDouble(x[i]);
            if (Double.isNaN(want)) {
                assertThat(got[i]).as(what + "(" + x[i] + ")").isNaN();
            } else if (!(ulps(got[i], want) <= MAX_ULPS)) {
                fail(what + "(" + x[i] + ") = " + got[i] + ", expected " + want + ": " + ulps(got[i], want) + " ulp");
            }
        }
    }

    /** Every sign, exponent (subnormals included) and mantissa: random bit patterns, plus the special values. */
    private static float[] allFloats(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = Float.intBitsToFloat(rnd.nextInt());
        }
        float[] special = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE,
                Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MIN_VALUE, 1f, -1f, 88.72283f, 88.72284f, -87.33655f,
                -103.27893f, -103.97208f, -104f, 89f, 1e-45f, Math.nextDown(1f), Math.nextUp(1f)};
        for (int i = 0; i < special.length; i++) {
            x[i * 997 + 3] = special[i];   // spread out, so each sits in a vector with ordinary lanes
        }
        return x;
    }

    private static float[] evenlySpaced(float lo, float hi, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = lo + (hi - lo) * i / (n - 1);
        }
        return x;
    }

    @Test
    void expIsWithinOneUlpOverTheWholeRangeWithOverflowAndSubnormalResults() {
        for (float[] x : new float[][] {allFloats(new Random(1), 1 << 20), evenlySpaced(-105f, 90f, 1 << 21)}) {
            float[] y = new float[x.length];
            FloatExpLog.exp(x, y, 0, x.length);
            assertWithinUlps("exp", x, y, Math::exp);
        }
    }

    @Test
    void logIsWithinOneUlpForPositiveNormalsAndSubnormalsAndFollowsIeeeElsewhere() {
        for (float[] x : new float[][] {allFloats(new Random(2), 1 << 20), evenlySpaced(0.25f, 4f, 1 << 21)}) {
            float[] y = new float[x.length];
            FloatExpLog.log(x, y, 0, x.length);
            assertWithinUlps("log", x, y, Math::log);
        }
        float[] x = {-0f, 0f, -1f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN, 1f, -Float.MIN_VALUE};
        float[] y = new float[x.length];
        FloatExpLog.log(x, y, 0, x.length);
        assertThat(y).containsExactly(Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.NaN,
                Float.POSITIVE_INFINITY, Float.NaN, 0f, Float.NaN);
    }

    @Test
    void shortRangesGoThroughTheSameArithmetic() {
        float[] x = evenlySpaced(-3f, 5f, 37);
        float[] whole = new float[x.length];
        FloatExpLog.exp(x, whole, 0, x.length);
        for (int from = 0; from + 3 <= x.length; from += 3) {
            float[] part = new float[x.length];
            FloatExpLog.exp(x, part, from, from + 3);
            for (int i = from; i < from + 3; i++) {
                assertThat(Float.floatToRawIntBits(part[i])).as("exp(" + x[i] + ")").isEqualTo(Float.floatToRawIntBits(whole[i]));
            }
        }
    }

    @Test
    void powIsWithinOneUlpOfMathPow() {
        Random rnd = new Random(3);
        for (int i = 0; i < 2_000_000; i++) {
            float x;
            float y;
            switch (i % 4) {
                case 0 -> {   // any positive float, exponents that keep the result mostly in range
                    x = Float.intBitsToFloat(rnd.nextInt() & 0x7fffffff);
                    y = (float) (rnd.nextGaussian() * 2);
                }
                case 1 -> {   // near 1 with large exponents: the case that needs ln x beyond float precision
                    x = (float) Math.exp(rnd.nextGaussian() * 0.1);
                    y = (float) (rnd.nextGaussian() * 500);
                }
                case 2 -> {   // negative bases with integer exponents
                    x = (float) (-rnd.nextDouble() * 10);
                    y = rnd.nextInt(61) - 30;
                }
                default -> {  // the rsqrt and square of StyleGAN2's demodulation and its gradient
                    x = (float) (rnd.nextDouble() * 1e3);
                    y = rnd.nextBoolean() ? -0.5f : -1.5f;
                }
            }
            float got = FloatExpLog.pow(x, y);
            double want = Math.pow(x, y);
            if (Double.isNaN(want) ? !Float.isNaN(got) : !(ulps(got, want) <= MAX_ULPS)) {
                fail("pow(" + x + ", " + y + ") = " + got + ", expected " + want);
            }
        }
    }

    @Test
    void powHasTheSpecialCasesOfMathPow() {
        float[] values = {0f, -0f, 1f, -1f, 2f, -2f, 0.5f, -0.5f, 3f, -3f, 1e30f, -1e30f, 1e-30f, Float.MIN_VALUE,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 16777216f, 16777217f, -16777215f, 0.25f};
        for (float x : values) {
            for (float y : values) {
                float got = FloatExpLog.pow(x, y);
                float want = (float) Math.pow(x, y);
                // floatToIntBits: any NaN will do (Math.pow's own NaN bits vary with the JIT), zeros keep their sign
                assertThat(Float.floatToIntBits(got)).as("pow(" + x + ", " + y + ") = " + got + ", expected " + want)
                        .isEqualTo(Float.floatToIntBits(want));
            }
        }
    }
}
