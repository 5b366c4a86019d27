package facegen.audit.layers;

import facegen.engine.autodiff.Autograd;
import facegen.engine.backend.Backend;
import facegen.engine.backend.Backends;
import facegen.engine.tensor.Shape;
import facegen.nn.facenets.Vgg16;
import facegen.engine.io.ElementType;
import facegen.engine.io.StoredTensor;
import facegen.engine.io.TensorFile;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * facegen's VGG16 feature extractor against torchvision's definition written in libtorch calls (conv2d padding 1,
 * relu, max_pool2d 2x2), both float64 with the same random state dict: the five relu taps and the gradient of a
 * weighted sum of them w.r.t. the input image.
 */
class Vgg16TorchTest {
    private static final int[] CONFIG = {64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512};
    private static final int SIZE = 16;

    @Test
    void featuresAndInputGradientMatchLibtorch() {
        SplittableRandom random = new SplittableRandom(7);
        Map<String, StoredTensor> dict = new LinkedHashMap<>();
        int index = 0;
        int in = 3;
        for (int c : CONFIG) {
            if (c == 0) {
                index += 1;
                continue;
            }
            dict.put("features." + index + ".weight", gaussian(random, Math.sqrt(2.0 / (9 * in)), c, in, 3, 3));
            dict.put("features." + index + ".bias", gaussian(random, 0.1, c));
            index += 2;
            in = c;
        }
        double[] image = gaussian(random, 1, 1, 3, SIZE, SIZE).values();

        Backend reference = Backends.create("reference");
        Vgg16 vgg = new Vgg16(new TensorFile(Map.of(), dict), reference);
        facegen.engine.tensor.Tensor x = facegen.engine.tensor.Tensor.of(reference, image, 1, 3, SIZE, SIZE).requireGrad();
        List<facegen.engine.tensor.Tensor> ours = vgg.features(x);
        facegen.engine.tensor.Tensor loss = null;
        for (int t = 0; t < ours.size(); t++) {
            facegen.engine.tensor.Tensor term = ours.get(t).square().sumAll().mul(1.0 / (t + 1));
            loss = loss == null ? term : loss.add(term);
        }
        double[] ourGrad = Autograd.grad(loss, List.of(x), false).getFirst().toArray();

        Tensor tx = constant(image, 1, 3, SIZE, SIZE);
        tx.set_requires_grad(true);
        List<Tensor> theirs = torchFeatures(tx, dict);
        Tensor tloss = null;
        for (int t = 0; t < theirs.size(); t++) {
            Tensor term = theirs.get(t).square().sum().div(new org.bytedeco.pytorch.Scalar((double) (t + 1)));
            tloss = tloss == null ? term : tloss.add(term);
        }
        Tensor tgrad = torch.grad(new TensorVector(tloss), new TensorVector(tx), new TensorVector(torch.ones_like(tloss)),
                new BoolOptional(false), false, false).get(0);

        assertThat(ours).hasSize(5);
        for (int t = 0; t < ours.size(); t++) {
            assertThat(maxRelative(ours.get(t).toArray(), values(theirs.get(t)))).as("tap %d", t).isLessThan(1e-10);
        }
        assertThat(maxRelative(ourGrad, values(tgrad))).as("input gradient").isLessThan(1e-10);
    }

    /** torchvision vgg.make_layers(cfgs["D"]) applied up to relu5_3, collecting the five tapped relus. */
    private static List<Tensor> torchFeatures(Tensor x, Map<String, StoredTensor> dict) {
        List<Tensor> taps = new ArrayList<>();
        int index = 0;
        int[] tapAfter = {1, 3, 6, 9, 12};
        int conv = 0;
        for (int c : CONFIG) {
            if (c == 0) {
                x = torch.max_pool2d(x, new long[] {2, 2}, new long[] {2, 2}, new long[] {0, 0}, new long[] {1, 1}, false);
                index += 1;
                continue;
            }
            StoredTensor w = dict.get("features." + index + ".weight");
            StoredTensor b = dict.get("features." + index + ".bias");
            x = torch.relu(torch.conv2d(x, constant(w.values(), c, w.shape().dims()[1], 3, 3),
                    new TensorOptional(constant(b.values(), c)), new long[] {1, 1}, new long[] {1, 1}, new long[] {1, 1}, 1));
            for (int after : tapAfter) {
                if (after == conv) {
                    taps.add(x);
                }
            }
            conv += 1;
            index += 2;
        }
        return taps;
    }

    private static StoredTensor gaussian(SplittableRandom random, double std, int... shape) {
        double[] v = new double[Math.toIntExact(new Shape(shape).numel())];
        for (int i = 0; i < v.length; i++) {
            v[i] = std * nextGaussian(random);
        }
        return new StoredTensor(ElementType.F64, new Shape(shape), v);
    }

    private static double nextGaussian(SplittableRandom random) {
        return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    private static Tensor constant(double[] values, long... sizes) {
        return torch.from_blob(new DoublePointer(values), sizes, new TensorOptions(torch.ScalarType.Double)).clone();
    }

    private static double[] values(Tensor t) {
        Tensor c = t.detach().contiguous();
        double[] out = new double[(int) c.numel()];
        c.data_ptr_double().get(out);
        return out;
    }

    private static double maxRelative(double[] a, double[] b) {
        assertThat(a).hasSameSizeAs(b);
        double diff = 0;
        double scale = 1e-300;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return diff / scale;
    }
}
