package facegen.nn.io;

import facegen.engine.io.StoredTensor;
import facegen.engine.backend.Backend;
import facegen.engine.tensor.GradMode;
import facegen.nn.Module;
import facegen.nn.Slot;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A module's parameters and buffers as named stored tensors, and back: PyTorch's {@code state_dict()} and
 * {@code load_state_dict(strict=True)}, with a {@link WeightLayout} translating names and shapes of files
 * written by other code.
 */
public final class StateDict {
    private static final Pattern FROM_RGB = Pattern.compile("b(\\d+)\\.fromrgb\\.weight");

    private StateDict() {}

    /** Every parameter and buffer of {@code module} by dotted name, in declaration order. */
    public static Map<String, StoredTensor> of(Module module) {
        Map<String, StoredTensor> out = new LinkedHashMap<>();
        module.namedSlots().forEach((name, slot) -> out.put(name, StoredTensor.of(slot.value())));
        return out;
    }

    /**
     * Sets every parameter and buffer of {@code module} from {@code tensors} (named as {@code layout} names them)
     * on {@code backend}; nothing is set unless every check passes.
     *
     * @throws IllegalArgumentException listing the slots the file lacks, the file tensors no slot takes (other
     *                                  than the layout's constants), or the first tensor whose shape differs, with
     *                                  the file's and the network's shapes
     */
    public static void load(Module module, Map<String, StoredTensor> tensors, WeightLayout layout, Backend backend) {
        int imgResolution = discriminatorResolution(module);
        Map<Slot, StoredTensor> plan = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        Set<String> used = new HashSet<>();
        module.namedSlots().forEach((name, slot) -> {
            WeightLayout.Source source = layout.source(name, slot.shape(), imgResolution);
            if (source == null) {
                return;                                                  // the layout does not store it: keep
            }
            StoredTensor t = tensors.get(source.name());
            if (t == null) {
                missing.add(source.name().equals(name) ? name : source.name() + " (for " + name + ")");
                return;
            }
            if (!t.shape().equals(source.shape())) {
                throw new IllegalArgumentException("tensor '" + source.name() + "'" + (source.name().equals(name) ? "" : " (for "
                        + name + ")") + " has shape " + t.shape() + " in the file, the network expects " + source.shape());
            }
            used.add(source.name());
            plan.put(slot, t.reshape(slot.shape()));
        });
        List<String> unexpected = tensors.keySet().stream()
                .filter(n -> !used.contains(n) && !layout.isConstant(n)).toList();
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new IllegalArgumentException("weights do not fit the network (" + layout + " layout): "
                    + (missing.isEmpty() ? "" : missing.size() + " missing " + head(missing))
                    + (!missing.isEmpty() && !unexpected.isEmpty() ? "; " : "")
                    + (unexpected.isEmpty() ? "" : unexpected.size() + " unexpected " + head(unexpected)));
        }
        try (GradMode _ = GradMode.disabled()) {
            plan.forEach((slot, t) -> slot.set(t.toTensor(backend)));
        }
    }

    /** {@link #load} with this project's own names. */
    public static void load(Module module, Map<String, StoredTensor> tensors, Backend backend) {
        load(module, tensors, WeightLayout.FACEGEN, backend);
    }

    /** The input resolution of a discriminator (its fromrgb block), or 0 for other modules. */
    private static int discriminatorResolution(Module module) {
        for (String name : module.namedSlots().keySet()) {
            Matcher m = FROM_RGB.matcher(name);
            if (m.matches()) {
                return Integer.parseInt(m.group(1));
            }
        }
        return 0;
    }

    private static String head(List<String> names) {
        return names.size() <= 8 ? names.toString() : names.subList(0, 8) + " and " + (names.size() - 8) + " more";
    }
}
