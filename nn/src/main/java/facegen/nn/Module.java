package facegen.nn;

import facegen.engine.backend.Backend;
import facegen.engine.tensor.Shape;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node of a network: its own named {@link Parameter}s and {@link Buffer}s, then named child modules, each
 * declared once in the constructor. Dotted names join the path ({@code synthesis.b64.conv0.weight}).
 *
 * <p>Life cycle: the constructor declares the tree (shapes and {@link Init}s, no values); then
 * {@link #initialize} draws every value on a backend, each from {@code Seed(rootSeed).derive(dottedName)}, or
 * {@link #copyFrom} takes another module's values (the EMA generator), or a checkpoint loader sets them by name.
 * Iteration order is declaration order, own slots before children (as PyTorch's named_parameters).
 *
 * <p>Forward methods are ordinary methods of the subclasses with the arguments each network needs; this class
 * only owns the tree.
 */
public abstract class Module {
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** An empty module; subclasses declare their slots and children in their constructor. */
    protected Module() {}

    /** Declares child module {@code name} and returns it (for a final field). */
    protected final <M extends Module> M child(String name, M module) {
        claim(name);
        children.put(name, module);
        return module;
    }

    /** Declares a trained parameter of {@code shape} whose first value comes from {@code init}. */
    protected final Parameter parameter(String name, Init init, int... shape) {
        claim(name);
        Parameter p = new Parameter(name, new Shape(shape), init);
        slots.put(name, p);
        return p;
    }

    /** Declares a buffer (non-trained state) of {@code shape} whose first value comes from {@code init}. */
    protected final Buffer buffer(String name, Init init, int... shape) {
        claim(name);
        Buffer b = new Buffer(name, new Shape(shape), init);
        slots.put(name, b);
        return b;
    }

    private void claim(String name) {
        if (name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("module member names are non-empty and dot-free, got '" + name + "'");
        }
        if (slots.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " already declares '" + name + "'");
        }
    }

    /**
     * Sets every parameter and buffer of the tree to its first value on {@code backend}: the slot with dotted
     * name n (relative to this module, so call it on the root) draws from {@code new Seed(seed).derive(n)}.
     */
    public final void initialize(Backend backend, long seed) {
        Seed root = new Seed(seed);
        namedSlots().forEach((name, slot) -> slot.initialize(backend, root.derive(name)));
    }

    /** Every parameter and buffer of the tree by dotted name, in declaration order (own slots first). */
    public final Map<String, Slot> namedSlots() {
        Map<String, Slot> out = new LinkedHashMap<>();
        collect("", out);
        return Collections.unmodifiableMap(out);
    }

    private void collect(String prefix, Map<String, Slot> out) {
        slots.forEach((name, slot) -> out.put(prefix + name, slot));
        children.forEach((name, child) -> child.collect(prefix + name + ".", out));
    }

    /** Every parameter of the tree by dotted name, in declaration order (the optimizers' and checkpoints' order). */
    public final Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        namedSlots().forEach((name, slot) -> {
            if (slot instanceof Parameter p) {
                out.put(name, p);
            }
        });
        return Collections.unmodifiableMap(out);
    }

    /** Every buffer of the tree by dotted name, in declaration order. */
    public final Map<String, Buffer> namedBuffers() {
        Map<String, Buffer> out = new LinkedHashMap<>();
        namedSlots().forEach((name, slot) -> {
            if (slot instanceof Buffer b) {
                out.put(name, b);
            }
        });
        return Collections.unmodifiableMap(out);
    }

    /** The total number of trained scalars, sum over parameters of numel. */
    public final long parameterCount() {
        return namedParameters().values().stream().mapToLong(p -> p.shape().numel()).sum();
    }

    /** Sets training mode (true) or evaluation mode (false) on the whole tree (w_avg tracking, fused modconv). */
    public final void train(boolean on) {
        training = on;
        children.values().forEach(c -> c.train(on));
    }

    /** True in training mode (the default). */
    public final boolean isTraining() {
        return training;
    }

    /** Freezes ({@code false}) or unfreezes every parameter of the tree ({@link Parameter#requireGrad}). */
    public final void requireGrad(boolean on) {
        namedParameters().values().forEach(p -> p.requireGrad(on));
    }

    /** Clears the gradient of every parameter of the tree. */
    public final void zeroGrad() {
        namedParameters().values().forEach(Parameter::zeroGrad);
    }

    /**
     * Sets every parameter and buffer to the value of the slot with the same dotted name in {@code source}, a
     * module of the same architecture (tensors are immutable, so storage is shared; leaves and their gradient
     * slots are not).
     *
     * @throws IllegalArgumentException naming the first slot whose name or shape differs
     */
    public final void copyFrom(Module source) {
        Map<String, Slot> mine = namedSlots();
        Map<String, Slot> theirs = source.namedSlots();
        if (!mine.keySet().equals(theirs.keySet())) {
            throw new IllegalArgumentException("copyFrom: architectures differ; slots only here "
                    + difference(mine, theirs) + ", only in source " + difference(theirs, mine));
        }
        mine.forEach((name, slot) -> {
            Slot from = theirs.get(name);
            if (!from.shape().equals(slot.shape()) || from.getClass() != slot.getClass()) {
                throw new IllegalArgumentException("copyFrom: '" + name + "' is " + slot.shape() + " here, "
                        + from.shape() + " in source");
            }
            slot.set(from.value().detach());
        });
    }

    private static List<String> difference(Map<String, Slot> a, Map<String, Slot> b) {
        return a.keySet().stream().filter(k -> !b.containsKey(k)).toList();
    }
}
