package facegen.engine.backend.reference;

import facegen.engine.backend.Elements;

/** {@link Elements} over a double[]: the reference backend's storage seen by {@link ReferenceKernels}. */
final class DoubleElements implements Elements {
    private final double[] values;

    DoubleElements(double[] values) {
        this.values = values;
    }

    @Override
    public int length() {
        return values.length;
    }

    @Override
    public double get(int i) {
        return values[i];
    }

    @Override
    public void set(int i, double v) {
        values[i] = v;
    }
}
