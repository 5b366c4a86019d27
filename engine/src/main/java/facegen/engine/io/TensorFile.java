package facegen.engine.io;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The contents of a weight file: named tensors in file order and string metadata (safetensors'
 * {@code __metadata__}; the primitives of a PyTorch pickle; empty for NumPy files).
 *
 * @param metadata string key-value pairs
 * @param tensors  tensors by (dotted) name, in the order the file lists them
 */
public record TensorFile(Map<String, String> metadata, Map<String, StoredTensor> tensors) {

    /** Copies both maps, keeping their order, unmodifiable. */
    public TensorFile {
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    /** The tensor called {@code name}, failing with the names present when there is none. */
    public StoredTensor tensor(String name) {
        StoredTensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no tensor '" + name + "' in the file; it holds " + describeNames());
        }
        return t;
    }

    /** The tensors whose name starts with {@code prefix}, the prefix removed. */
    public Map<String, StoredTensor> withPrefix(String prefix) {
        Map<String, StoredTensor> out = new LinkedHashMap<>();
        tensors.forEach((name, t) -> {
            if (name.startsWith(prefix)) {
                out.put(name.substring(prefix.length()), t);
            }
        });
        return out;
    }

    private String describeNames() {
        return tensors.size() <= 12 ? tensors.keySet().toString()
                : tensors.keySet().stream().limit(12).toList() + " and " + (tensors.size() - 12) + " more";
    }
}
