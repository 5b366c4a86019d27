package facegen.nn.facenets;

import facegen.engine.backend.Backend;
import facegen.engine.ops.ConvGeometry;
import facegen.engine.tensor.Tensor;
import facegen.engine.io.StoredTensor;
import facegen.engine.io.TensorFile;
import facegen.nn.io.TorchStateDict;
import facegen.nn.tfjs.TfPadding;
import facegen.nn.tfjs.TfPool2d;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * torchvision's VGG16 feature extractor ({@code torchvision/models/vgg.py}, configuration "D":
 * 64, 64, M, 128, 128, M, 256 x3, M, 512 x3, M, 512 x3, M; 3x3 convs with padding 1 and relu, 2x2 stride-2 max
 * pools) with weights from a user's torchvision state dict ({@code features.<i>.weight / bias}; the classifier is
 * not used: the paper's perceptual loss reads feature maps). No VGG weights ship in any package reachable here,
 * so the user names the file. Input: ImageNet-normalised RGB [N, 3, H, W] ({@link #normalize}). Frozen weights;
 * differentiable w.r.t. the input.
 */
public final class Vgg16 {
    /** Output channels per conv, 0 = max pool, in torchvision's {@code cfgs["D"]} order. */
    private static final int[] CONFIG = {64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0};
    /** Indices in {@code features} of the relus read by {@link #features}: relu1_2, relu2_2, relu3_3, relu4_3, relu5_3. */
    private static final List<Integer> TAPS = List.of(3, 8, 15, 22, 29);
    private static final TfPool2d POOL = new TfPool2d(TfPool2d.Kind.MAX, 2, 2, TfPadding.VALID);

    private final List<Tensor> weights = new ArrayList<>();  // [O, C, 3, 3] each
    private final List<Tensor> biases = new ArrayList<>();   // [1, O, 1, 1] each

    /** The extractor with the {@code features.*} tensors of a torchvision VGG16 state dict, on {@code backend}. */
    public Vgg16(TensorFile stateDict, Backend backend) {
        int index = 0;
        int in = 3;
        for (int c : CONFIG) {
            if (c == 0) {
                index += 1;
                continue;
            }
            weights.add(tensor(stateDict, "features." + index + ".weight", backend, c, in, 3, 3));
            biases.add(tensor(stateDict, "features." + index + ".bias", backend, c).reshape(1, c, 1, 1));
            index += 2;                                   // conv, relu
            in = c;
        }
    }

    /** Reads a {@code torch.save}d torchvision VGG16 state dict ({@code vgg16-397923af.pth} or a fine-tune of it). */
    public static Vgg16 load(Path file, Backend backend) throws IOException {
        return new Vgg16(TorchStateDict.read(file), backend);
    }

    /** (x / 255 - mean) / std with ImageNet's mean [0.485, 0.456, 0.406] and std [0.229, 0.224, 0.225], x in 0..255. */
    public static Tensor normalize(Tensor image) {
        Tensor mean = Tensor.of(image.backend(), new double[] {0.485, 0.456, 0.406}, 1, 3, 1, 1);
        Tensor std = Tensor.of(image.backend(), new double[] {0.229, 0.224, 0.225}, 1, 3, 1, 1);
        return image.div(255).sub(mean).div(std);
    }

    /**
     * The relu1_2, relu2_2, relu3_3, relu4_3 and relu5_3 maps ([N, 64, H, W] ... [N, 512, H/16, W/16]) of
     * normalised input [N, 3, H, W], H and W multiples of 16.
     */
    public List<Tensor> features(Tensor x) {
        if (x.rank() != 4 || x.dim(1) != 3 || x.dim(2) % 16 != 0 || x.dim(3) % 16 != 0) {
            throw new IllegalArgumentException("expected [N, 3, H, W] with H, W multiples of 16, got " + x.shape());
        }
        List<Tensor> taps = new ArrayList<>();
        int index = 0;
        int conv = 0;
        for (int c : CONFIG) {
            if (c == 0) {
                x = POOL.forward(x);
                index += 1;
            } else {
                x = x.conv2d(weights.get(conv), ConvGeometry.of(1, 1)).add(biases.get(conv)).relu();
                conv += 1;
                index += 2;
                if (TAPS.contains(index - 1)) {
                    taps.add(x);
                }
            }
            if (taps.size() == TAPS.size()) {
                break;
            }
        }
        return taps;
    }

    private static Tensor tensor(TensorFile file, String name, Backend backend, int... shape) {
        StoredTensor t = file.tensor(name);
        if (!Arrays.equals(t.shape().dims(), shape)) {
            throw new IllegalArgumentException("'" + name + "': expected shape " + Arrays.toString(shape)
                    + " (torchvision VGG16), got " + t.shape());
        }
        return t.toTensor(backend);
    }
}
