package facegen.engine.autodiff;

import facegen.engine.tensor.AnomalyMode;
import facegen.engine.tensor.GradMode;
import facegen.engine.tensor.Node;
import facegen.engine.tensor.Tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reverse-mode automatic differentiation over the graph that tensors record.
 *
 * <p>The walk: order the graph topologically from the outputs (iteratively: our graphs are deep), seed the
 * outputs' gradients, then visit nodes in reverse order, asking {@link DerivativeRules} for each input's
 * vector-Jacobian product and <em>adding</em> it to what that input already has (a tensor used twice gets both
 * terms, as micrograd's {@code +=}). With {@code createGraph} the walk itself is recorded, so its results can be
 * differentiated again.
 */
public final class Autograd {

    private Autograd() {}

    /**
     * Accumulates d(loss)/d(leaf) into {@link Tensor#grad()} of every leaf that requires grad, then frees the
     * graph. {@code loss} must hold one element.
     */
    public static void backward(Tensor loss) {
        if (loss.shape().numel() != 1) {
            throw new IllegalArgumentException("backward() without a seed needs a one-element loss, got shape "
                    + loss.shape() + "; pass a seed gradient of that shape");
        }
        backward(loss, Tensor.ones(loss.backend(), loss.shape().dims()), false);
    }

    /**
     * Accumulates the vector-Jacobian product seed^T d(output)/d(leaf) into each leaf's gradient slot.
     *
     * @param retainGraph keep the graph so it can be walked again (otherwise it is freed)
     */
    public static void backward(Tensor output, Tensor seed, boolean retainGraph) {
        Map<Tensor, Tensor> grads = walk(List.of(output), List.of(seed), null, false, retainGraph);
        for (Map.Entry<Tensor, Tensor> e : grads.entrySet()) {
            if (e.getKey().isLeaf()) {
                e.getKey().accumulateGrad(e.getValue());
            }
        }
    }

    /**
     * Returns d(sum of seed_i . output_i)/d(input_j) for each input, without touching gradient slots (as
     * {@code torch.autograd.grad}). An input the outputs do not depend on gets zeros.
     *
     * @param createGraph record the backward computation so the returned gradients are differentiable
     *                    (needed for R1 and path-length penalties); implies the graph is retained
     */
    public static List<Tensor> grad(List<Tensor> outputs, List<Tensor> seeds, List<Tensor> inputs, boolean createGraph) {
        for (Tensor t : inputs) {
            if (!t.requiresGrad()) {
                throw new IllegalArgumentException("grad(): input " + t.shape() + " does not require grad");
            }
        }
        Map<Tensor, Tensor> grads = walk(outputs, seeds, inputs, createGraph, createGraph);
        List<Tensor> result = new ArrayList<>(inputs.size());
        for (Tensor t : inputs) {
            Tensor g = grads.get(t);
            result.add(g != null ? g : t.zerosLike());
        }
        return result;
    }

    /** grad() of a one-element output with seed 1. */
    public static List<Tensor> grad(Tensor output, List<Tensor> inputs, boolean createGraph) {
        return grad(List.of(output), List.of(Tensor.ones(output.backend(), output.shape().dims())), inputs, createGraph);
    }

    /**
     * The backward walk. {@code targets} are the tensors whose gradients are wanted (null = every leaf); branches
     * that lead to none of them are skipped, so R1's gradient w.r.t. the image builds no weight gradients.
     */
    private static Map<Tensor, Tensor> walk(List<Tensor> outputs, List<Tensor> seeds, List<Tensor> targets,
                                            boolean createGraph, boolean retainGraph) {
        if (outputs.size() != seeds.size()) {
            throw new IllegalArgumentException(outputs.size() + " outputs but " + seeds.size() + " seed gradients");
        }
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        for (int i = 0; i < outputs.size(); i++) {
            Tensor out = outputs.get(i);
            if (!out.requiresGrad()) {
                throw new IllegalArgumentException("output " + out.shape() + " does not require grad: no input it was"
                        + " computed from requires grad, or it was computed in a no-grad scope");
            }
            if (!seeds.get(i).shape().equals(out.shape())) {
                throw new IllegalArgumentException("seed gradient " + seeds.get(i).shape() + " does not match output " + out.shape());
            }
            grads.merge(out, seeds.get(i), Tensor::add);
        }
        List<Tensor> order = topologicalOrder(outputs);
        Set<Tensor> relevant = leadingTo(order, targets);
        try (GradMode mode = createGraph ? GradMode.enabled() : GradMode.disabled()) {
            for (int k = order.size() - 1; k >= 0; k--) {
                Tensor t = order.get(k);
                Tensor g = grads.get(t);
                Node node = t.node();
                if (g == null || node == null) {
                    continue;
                }
                List<Tensor> inputs = node.inputs();
                boolean[] needs = new boolean[inputs.size()];
                for (int i = 0; i < needs.length; i++) {
                    needs[i] = relevant.contains(inputs.get(i));
                }
                Tensor[] inputGrads = DerivativeRules.vjp(node.op(), inputs, t, g, needs);
                for (int i = 0; i < inputs.size(); i++) {
                    if (needs[i] && inputGrads[i] != null) {
                        checkGradient(node, i, inputs.get(i), inputGrads[i]);
                        grads.merge(inputs.get(i), inputGrads[i], Tensor::add);
                    }
                }
                if (!retainGraph) {
                    node.free();
                }
            }
        }
        return grads;
    }

    private static void checkGradient(Node node, int index, Tensor input, Tensor g) {
        if (!g.shape().equals(input.shape())) {
            throw new IllegalStateException("derivative rule of '" + node.op().name() + "' returned gradient " + g.shape()
                    + " for input " + index + " of shape " + input.shape());
        }
        if (AnomalyMode.isEnabled()) {
            for (double v : g.toArray()) {
                if (!Double.isFinite(v)) {
                    throw new IllegalStateException("backward of '" + node.op().name() + "' produced " + v
                            + " in the gradient of input " + index + " " + input.shape() + "; the forward op was created at:",
                            node.createdAt());
                }
            }
        }
    }

    /** Tensors of {@code order} (inputs before users) from which some target can be reached. */
    private static Set<Tensor> leadingTo(List<Tensor> order, List<Tensor> targets) {
        Set<Tensor> relevant = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<Tensor> wanted = Collections.newSetFromMap(new IdentityHashMap<>());
        if (targets != null) {
            wanted.addAll(targets);
        }
        for (Tensor t : order) {
            boolean leads = targets == null ? t.isLeaf() : wanted.contains(t);
            if (!leads && t.node() != null) {
                for (Tensor in : t.node().inputs()) {
                    leads |= relevant.contains(in);
                }
            }
            if (leads) {
                relevant.add(t);
            }
        }
        return relevant;
    }

    private static List<Tensor> topologicalOrder(List<Tensor> outputs) {
        List<Tensor> order = new ArrayList<>();
        Set<Tensor> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Object[]> stack = new ArrayDeque<>();                          // {tensor, next input index}
        for (Tensor out : outputs) {
            if (visited.add(out)) {
                stack.push(new Object[] {out, 0});
            }
            while (!stack.isEmpty()) {
                Object[] frame = stack.peek();
                Tensor t = (Tensor) frame[0];
                int next = (Integer) frame[1];
                List<Tensor> inputs = t.node() == null ? List.of() : t.node().inputs();
                if (next < inputs.size()) {
                    frame[1] = next + 1;
                    Tensor in = inputs.get(next);
                    if (in.requiresGrad() && visited.add(in)) {
                        stack.push(new Object[] {in, 0});
                    }
                } else {
                    stack.pop();
                    order.add(t);                                            // post-order: inputs before users
                }
            }
        }
        return order;
    }
}
