package facegen.engine.backend.cpu;

import facegen.engine.backend.Elements;

/** {@link Elements} view over a {@code float[]}: reads widen to double, writes round to float. */
public final class FloatElements implements Elements {
    private final float[] data;

    /** A view of {@code data} (not copied; writes go through). */
    public FloatElements(float[] data) {
        this.data = data;
    }

    @Override
    public int length() {
        return data.length;
    }

    @Override
    public double get(int i) {
        return data[i];
    }

    @Override
    public void set(int i, double v) {
        data[i] = (float) v;
    }
}
