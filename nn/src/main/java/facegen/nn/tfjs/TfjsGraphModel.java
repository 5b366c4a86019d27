package facegen.nn.tfjs;

import facegen.engine.backend.Backend;
import facegen.engine.ops.ConvGeometry;
import facegen.engine.tensor.Tensor;
import facegen.nn.io.Json;
import facegen.engine.io.StoredTensor;
import facegen.engine.io.TensorFile;
import facegen.engine.io.WeightFileException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * An interpreter of TF.js graph models ({@code model.json}: {@code modelTopology.node} = a TensorFlow GraphDef as
 * JSON, each node {@code name, op, input, attr}, plus a {@code weightsManifest} whose tensors are the Const
 * nodes) over engine primitives. Activations keep TensorFlow's NHWC layout so every axis attribute means what
 * the graph says; convolutions permute to NCHW and back around the engine's conv2d. The ops are those the
 * human-models face graphs use (see {@link #run}); any other op fails naming it and the node. Weights are
 * constants, so gradients flow to the fed inputs only.
 */
public final class TfjsGraphModel {
    private final Map<String, Node> nodes;
    private final TensorFile weights;
    private final String source;

    /** One GraphDef node: inputs by name (":0" output suffixes and "^" control edges removed), raw attrs. */
    private record Node(String name, String op, List<String> inputs, Map<?, ?> attr) {}

    private TfjsGraphModel(Map<String, Node> nodes, TensorFile weights, String source) {
        this.nodes = nodes;
        this.weights = weights;
        this.source = source;
    }

    /**
     * Reads {@code modelJson} and the weight shards it names (beside it).
     *
     * @throws WeightFileException naming the file when the JSON, the manifest or a shard is malformed
     */
    public static TfjsGraphModel read(Path modelJson) throws IOException {
        Path dir = modelJson.toAbsolutePath().normalize().getParent();
        Map<String, byte[]> shards = new HashMap<>();
        return decode(Files.readAllBytes(modelJson), path -> shards.computeIfAbsent(path, p -> {
            Path file = dir.resolve(p).normalize();
            try {
                return file.startsWith(dir) ? Files.readAllBytes(file) : null;
            } catch (IOException e) {
                return null;                                   // reported as a missing shard
            }
        }), modelJson.toString());
    }

    /**
     * Decodes model JSON bytes whose weight shards {@code shard} returns by path (null = missing); {@code source}
     * names the model in messages.
     *
     * @throws WeightFileException when the JSON, the node list, the manifest or a shard is malformed
     */
    public static TfjsGraphModel decode(byte[] modelJson, Function<String, byte[]> shard, String source) throws WeightFileException {
        Object parsed;
        try {
            parsed = Json.parse(StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(modelJson)).toString());
        } catch (CharacterCodingException | IllegalArgumentException e) {
            throw new WeightFileException(source + ": not UTF-8 JSON: " + e.getMessage(), e);
        }
        if (!(parsed instanceof Map<?, ?> root) || !(root.get("modelTopology") instanceof Map<?, ?> topology)
                || !(topology.get("node") instanceof List<?> nodeList)) {
            throw new WeightFileException(source + ": not a TF.js graph model (no modelTopology.node list)");
        }
        TensorFile weights = TfjsWeights.decodeGroups(root.get("weightsManifest"), shard, source);
        Map<String, Node> nodes = new LinkedHashMap<>();
        for (Object o : nodeList) {
            if (!(o instanceof Map<?, ?> n) || !(n.get("name") instanceof String name) || !(n.get("op") instanceof String op)) {
                throw new WeightFileException(source + ": graph node without name or op: " + o);
            }
            List<String> inputs = new ArrayList<>();
            if (n.get("input") instanceof List<?> in) {
                for (Object i : in) {
                    String s = String.valueOf(i);
                    if (!s.startsWith("^")) {
                        inputs.add(s.replaceFirst(":0$", ""));
                    }
                }
            }
            nodes.put(name, new Node(name, op, inputs, n.get("attr") instanceof Map<?, ?> a ? a : Map.of()));
        }
        return new TfjsGraphModel(nodes, weights, source);
    }

    /** The names of the graph's Placeholder nodes (its inputs), in file order. */
    public List<String> inputs() {
        return nodes.values().stream().filter(n -> n.op.equals("Placeholder")).map(Node::name).toList();
    }

    /**
     * Evaluates node {@code output} with the placeholders bound to {@code feeds} (NHWC tensors on one backend).
     * Supported ops: Placeholder, Const, Identity, Add/AddV2, Sub, Mul, RealDiv, Maximum, Minimum, Abs, Neg, Relu,
     * Relu6, Prelu, Sigmoid, Square, Sqrt, Rsqrt, Sum, Mean, Squeeze, Reshape, Pad, MaxPool, Conv2D,
     * DepthwiseConv2dNative and their fused forms (_FusedConv2D, FusedDepthwiseConv2dNative with BiasAdd then
     * Relu / Relu6 / Prelu).
     *
     * @throws IllegalArgumentException naming the node for an unknown op, a missing feed or a bad attribute
     */
    public Tensor run(Map<String, Tensor> feeds, String output) {
        if (feeds.isEmpty()) {
            throw new IllegalArgumentException("no inputs fed; the graph's inputs are " + inputs());
        }
        Backend backend = feeds.values().iterator().next().backend();
        return eval(output, feeds, backend, new HashMap<>());
    }

    private Tensor eval(String name, Map<String, Tensor> feeds, Backend backend, Map<String, Tensor> memo) {
        Tensor done = memo.get(name);
        if (done != null) {
            return done;
        }
        Node node = nodes.get(name);
        if (node == null) {
            throw new IllegalArgumentException(source + ": no node '" + name + "'");
        }
        List<Tensor> in = new ArrayList<>();
        if (!node.op.equals("Const")) {
            for (String i : node.inputs) {
                in.add(eval(i, feeds, backend, memo));
            }
        }
        Tensor out = apply(node, in, feeds, backend);
        memo.put(name, out);
        return out;
    }

    private Tensor apply(Node node, List<Tensor> in, Map<String, Tensor> feeds, Backend backend) {
        return switch (node.op) {
            case "Placeholder" -> {
                Tensor t = feeds.get(node.name);
                if (t == null) {
                    throw new IllegalArgumentException(source + ": input '" + node.name + "' not fed");
                }
                yield t;
            }
            case "Const" -> constant(node).toTensor(backend);
            case "Identity" -> in.get(0);
            case "Add", "AddV2" -> in.get(0).add(in.get(1));
            case "Sub" -> in.get(0).sub(in.get(1));
            case "Mul" -> in.get(0).mul(in.get(1));
            case "RealDiv" -> in.get(0).div(in.get(1));
            case "Maximum" -> in.get(0).maximum(in.get(1));
            case "Minimum" -> in.get(0).minimum(in.get(1));
            case "Abs" -> in.get(0).abs();
            case "Neg" -> in.get(0).neg();
            case "Relu" -> in.get(0).relu();
            case "Relu6" -> in.get(0).relu().minimum(6);
            case "Prelu" -> prelu(in.get(0), in.get(1));
            case "Sigmoid" -> in.get(0).sigmoid();
            case "Square" -> in.get(0).square();
            case "Sqrt" -> in.get(0).sqrt();
            case "Rsqrt" -> in.get(0).sqrt().reciprocal();
            case "Sum", "Mean" -> reduce(node, in.get(0));
            case "Squeeze" -> squeeze(node, in.get(0));
            case "Reshape" -> in.get(0).reshape(ints(constant(nodes.get(node.inputs.get(1))).values()));
            case "Pad" -> pad(node, in.get(0));
            case "MaxPool" -> maxPool(node, in.get(0));
            case "Conv2D", "_FusedConv2D" -> fused(node, conv(node, in.get(0), in.get(1), false), in);
            case "DepthwiseConv2dNative", "FusedDepthwiseConv2dNative" -> fused(node, conv(node, in.get(0), in.get(1), true), in);
            default -> throw new IllegalArgumentException(source + ": node '" + node.name + "' has op " + node.op
                    + ", which this interpreter does not implement");
        };
    }

    /** NHWC conv: permute x to NCHW, TF padding, conv2d (groups = C for depthwise), permute back. */
    private Tensor conv(Node node, Tensor x, Tensor filter, boolean depthwise) {
        int[] strides = intList(node, "strides");
        int[] dilations = node.attr.containsKey("dilations") ? intList(node, "dilations") : new int[] {1, 1, 1, 1};
        if (strides[1] != strides[2] || dilations[1] != 1 || dilations[2] != 1 || !"NHWC".equals(string(node, "data_format", "NHWC"))) {
            throw new IllegalArgumentException(source + ": node '" + node.name + "': only NHWC, square strides and no dilation are supported");
        }
        int c = x.dim(3);
        Tensor w = depthwise
                ? filter.permute(2, 3, 0, 1).reshape(filter.dim(2) * filter.dim(3), 1, filter.dim(0), filter.dim(1))
                : filter.permute(3, 2, 0, 1);
        TfPadding padding = TfPadding.valueOf(string(node, "padding", ""));
        Tensor nchw = padding.apply(x.permute(0, 3, 1, 2), w.dim(2), w.dim(3), strides[1]);
        ConvGeometry g = ConvGeometry.of(strides[1], 0).withGroups(depthwise ? c : 1);
        return nchw.conv2d(w, g).permute(0, 2, 3, 1);
    }

    /** The fused ops after a conv (grappler's remapper): BiasAdd with the third input, then Relu / Relu6. */
    private Tensor fused(Node node, Tensor y, List<Tensor> in) {
        if (!(node.attr.get("fused_ops") instanceof Map<?, ?> f) || !(f.get("list") instanceof Map<?, ?> list)
                || !(list.get("s") instanceof List<?> ops)) {
            return y;
        }
        for (Object encoded : ops) {
            String op = new String(Base64.getDecoder().decode(String.valueOf(encoded)), StandardCharsets.UTF_8);
            y = switch (op) {
                case "BiasAdd" -> y.add(in.get(2));
                case "Relu" -> y.relu();
                case "Relu6" -> y.relu().minimum(6);
                case "Prelu" -> prelu(y, in.get(3));
                default -> throw new IllegalArgumentException(source + ": node '" + node.name + "' fuses " + op
                        + ", which this interpreter does not implement");
            };
        }
        return y;
    }

    /** PReLU: max(x, 0) + alpha min(x, 0), alpha per channel (last axis). */
    private static Tensor prelu(Tensor x, Tensor alpha) {
        return x.relu().add(x.minimum(0).mul(alpha));
    }

    /** Zero padding with the [rank, 2] (before, after) table of the second input. */
    private Tensor pad(Node node, Tensor x) {
        int[] table = ints(constant(nodes.get(node.inputs.get(1))).values());
        if (table.length != 2 * x.rank()) {
            throw new IllegalArgumentException(source + ": node '" + node.name + "' pads rank " + table.length / 2 + " for " + x.shape());
        }
        int[] before = new int[x.rank()];
        int[] after = new int[x.rank()];
        for (int a = 0; a < x.rank(); a++) {
            before[a] = table[2 * a];
            after[a] = table[2 * a + 1];
        }
        return x.pad(before, after);
    }

    /** NHWC max pool through {@link TfPool2d} on the NCHW view (square windows and strides only). */
    private Tensor maxPool(Node node, Tensor x) {
        int[] k = intList(node, "ksize");
        int[] strides = intList(node, "strides");
        if (k[1] != k[2] || strides[1] != strides[2] || k[0] != 1 || k[3] != 1) {
            throw new IllegalArgumentException(source + ": node '" + node.name + "': only square spatial max pools are supported");
        }
        TfPool2d pool = new TfPool2d(TfPool2d.Kind.MAX, k[1], strides[1], TfPadding.valueOf(string(node, "padding", "")));
        return pool.forward(x.permute(0, 3, 1, 2)).permute(0, 2, 3, 1);
    }

    private Tensor reduce(Node node, Tensor x) {
        int[] axes = ints(constant(nodes.get(node.inputs.get(1))).values());
        for (int i = 0; i < axes.length; i++) {
            axes[i] = Math.floorMod(axes[i], x.rank());
        }
        boolean keep = node.attr.get("keep_dims") instanceof Map<?, ?> k && Boolean.TRUE.equals(k.get("b"));
        return node.op.equals("Sum") ? x.sum(axes, keep) : x.mean(axes, keep);
    }

    private Tensor squeeze(Node node, Tensor x) {
        int[] dims = node.attr.containsKey("squeeze_dims") ? intList(node, "squeeze_dims") : new int[0];
        List<Integer> kept = new ArrayList<>();
        for (int a = 0; a < x.rank(); a++) {
            boolean listed = false;
            for (int d : dims) {
                listed |= Math.floorMod(d, x.rank()) == a;
            }
            if (!(x.dim(a) == 1 && (dims.length == 0 || listed))) {
                kept.add(x.dim(a));
            }
        }
        return x.reshape(kept.stream().mapToInt(Integer::intValue).toArray());
    }

    private StoredTensor constant(Node node) {
        try {
            return weights.tensor(node.name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": Const node '" + node.name + "' has no tensor in the weights manifest", e);
        }
    }

    private int[] intList(Node node, String key) {
        if (!(node.attr.get(key) instanceof Map<?, ?> a) || !(a.get("list") instanceof Map<?, ?> l)) {
            throw new IllegalArgumentException(source + ": node '" + node.name + "' lacks list attribute " + key);
        }
        return l.get("i") instanceof List<?> values
                ? values.stream().mapToInt(v -> Integer.parseInt(String.valueOf(v))).toArray() : new int[0];
    }

    private static String string(Node node, String key, String absent) {
        if (!(node.attr.get(key) instanceof Map<?, ?> a) || !(a.get("s") instanceof String s)) {
            return absent;
        }
        return new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
    }

    private static int[] ints(double[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (int) values[i];
        }
        return out;
    }
}
