package facegen.audit.layers;

import facegen.audit.AuditCase;
import facegen.audit.AuditInput;
import facegen.engine.tensor.GradMode;
import facegen.engine.tensor.Tensor;
import facegen.nn.Module;
import facegen.nn.layers.Activation;
import facegen.nn.layers.BiasAct;
import facegen.nn.layers.Conv2dLayer;
import facegen.nn.layers.Conv2dLayerConfig;
import facegen.nn.layers.FirFilter;
import facegen.nn.layers.FullyConnected;
import facegen.nn.layers.FullyConnectedConfig;
import facegen.nn.layers.MinibatchStd;
import facegen.nn.layers.PixelNorm;
import facegen.nn.layers.Upfirdn2d;
import facegen.nn.layers.Upfirdn2d.Padding;
import facegen.nn.stylegan.ModConvMode;
import facegen.nn.stylegan.ModulatedConv2d;
import facegen.nn.stylegan.StyleGAN2Loss;

import org.bytedeco.pytorch.Scalar;

import java.util.List;

/**
 * Layer rows of the audit: facegen's nn layers (compositions of primitives) against float64 central
 * differences and against stylegan2-ada's reference code in libtorch ({@link TorchStyleGan}). Module layers are
 * evaluated at the audited tensors by binding them as the module's parameters (a parameter keeps a leaf it is
 * given, so gradients flow to the audit's inputs). Shapes stay small so both backends run in seconds.
 */
public final class NnLayerCases {

    /** A 3x3 filter without symmetry, so a flipped or transposed filter shows. */
    private static final double[] ASYMMETRIC_FILTER = {0.05, 0.1, 0.2, 0.15, 0.3, 0.02, 0.08, 0.04, 0.06};

    private NnLayerCases() {}

    /** Every layer row. */
    public static List<AuditCase> cases() {
        return List.of(
                AuditCase.layer("modulated_conv2d_demod_grouped", in -> ModulatedConv2d.modulatedConv2d(in.get(0),
                                in.get(1), in.get(2), null, 1, 1, FirFilter.RESAMPLE, true, ModConvMode.FUSED))
                        .inputs(AuditInput.normal("x", 1001, 2, 3, 5, 4), AuditInput.normal("weight", 1002, 4, 3, 3, 3),
                                AuditInput.uniform("styles", 1003, 0.5, 1.5, 2, 3))
                        .torch(t -> TorchStyleGan.modulatedConv2d(t.get(0), t.get(1), t.get(2), 1)).build(),
                AuditCase.layer("modulated_conv2d_demod_nonfused", in -> ModulatedConv2d.modulatedConv2d(in.get(0),
                                in.get(1), in.get(2), null, 1, 1, FirFilter.RESAMPLE, true, ModConvMode.NON_FUSED))
                        .inputs(AuditInput.normal("x", 1004, 2, 3, 5, 4), AuditInput.normal("weight", 1005, 4, 3, 3, 3),
                                AuditInput.uniform("styles", 1006, 0.5, 1.5, 2, 3))
                        .torch(t -> TorchStyleGan.modulatedConv2d(t.get(0), t.get(1), t.get(2), 1)).build(),
                AuditCase.layer("modulated_conv2d_demod_up2", in -> ModulatedConv2d.modulatedConv2d(in.get(0),
                                in.get(1), in.get(2), null, 2, 1, FirFilter.RESAMPLE, true, ModConvMode.FUSED))
                        .inputs(AuditInput.normal("x", 1007, 2, 2, 3, 4), AuditInput.normal("weight", 1008, 3, 2, 3, 3),
                                AuditInput.uniform("styles", 1009, 0.5, 1.5, 2, 2))
                        .torch(t -> TorchStyleGan.modulatedConv2d(t.get(0), t.get(1), t.get(2), 2)).build(),

                AuditCase.layer("upfirdn2d_up2", in -> Upfirdn2d.upsample2d(in.get(0), FirFilter.RESAMPLE))
                        .inputs(AuditInput.normal("x", 1010, 2, 3, 4, 5))
                        .torch(t -> TorchStyleGan.upfirdn2d(t.get(0), TorchStyleGan.resampleFilter(), 2, 1,
                                2, 1, 2, 1, false, 4)).build(),
                AuditCase.layer("upfirdn2d_down2", in -> Upfirdn2d.downsample2d(in.get(0), FirFilter.RESAMPLE))
                        .inputs(AuditInput.normal("x", 1011, 2, 3, 6, 8))
                        .torch(t -> TorchStyleGan.upfirdn2d(t.get(0), TorchStyleGan.resampleFilter(), 1, 2,
                                1, 1, 1, 1, false, 1)).build(),
                AuditCase.layer("upfirdn2d_crop_flip", in -> Upfirdn2d.upfirdn2d(in.get(0),
                                new FirFilter(ASYMMETRIC_FILTER, false), 3, 2, new Padding(2, -1, -2, 1), true, 1.5))
                        .inputs(AuditInput.normal("x", 1012, 1, 2, 4, 5))
                        .torch(t -> TorchStyleGan.upfirdn2d(t.get(0), ASYMMETRIC_FILTER, 3, 2, 2, -1, -2, 1, true, 1.5))
                        .build(),

                AuditCase.layer("minibatch_std", in -> new MinibatchStd(4, 2).apply(in.get(0)))
                        .inputs(AuditInput.normal("x", 1013, 8, 4, 3, 2))
                        .torch(t -> TorchStyleGan.minibatchStd(t.get(0), 4, 2)).build(),

                equalisedLinear(),
                AuditCase.layer("bias_act_lrelu_clamp", in -> BiasAct.biasAct(in.get(0), in.get(1), Activation.LRELU,
                                Math.sqrt(2), 1.5))
                        .inputs(AuditInput.signedMagnitude("x", 1014, 0.05, 2, 2, 3, 4, 4),
                                AuditInput.normal("b", 1015, 3))
                        .torch(t -> TorchStyleGan.biasLrelu(t.get(0), t.get(1), Math.sqrt(2), 1.5)).build(),

                AuditCase.layer("pixel_norm", in -> PixelNorm.normalize2ndMoment(in.get(0)))
                        .inputs(AuditInput.normal("x", 1024, 3, 5, 2))
                        .torch(t -> TorchStyleGan.pixelNorm(t.get(0))).build(),

                r1Penalty(),
                pathLengths());
    }

    /** FullyConnected(5 -> 4, lrelu, lr multiplier 0.01, bias init 0.5) at the audited x, weight and bias. */
    private static AuditCase equalisedLinear() {
        FullyConnected fc = new FullyConnected(FullyConnectedConfig.of(5, 4).withActivation(Activation.LRELU)
                .withLrMultiplier(0.01).withBiasInit(0.5));
        return AuditCase.layer("fully_connected_lrelu", in -> {
                    bind(fc, in.get(1), in.get(2));
                    return fc.forward(in.get(0));
                })
                .inputs(AuditInput.normal("x", 1016, 3, 5), AuditInput.normal("weight", 1017, 4, 5),
                        AuditInput.normal("bias", 1018, 4))
                .torch(t -> TorchStyleGan.fullyConnectedLrelu(t.get(0), t.get(1), t.get(2), 0.01)).build();
    }

    /**
     * The R1 penalty ||d(sum D(x))/dx||^2 per sample of a tiny discriminator D(x) = fc(flatten(conv(x))), conv a
     * 3x3 lrelu Conv2dLayer with down 2: its first-order column is a second derivative of D, its second-order
     * column a third.
     */
    private static AuditCase r1Penalty() {
        Conv2dLayer conv = new Conv2dLayer(Conv2dLayerConfig.of(2, 3, 3).withActivation(Activation.LRELU).withDown(2));
        FullyConnected fc = new FullyConnected(FullyConnectedConfig.of(12, 1));
        return AuditCase.layer("r1_penalty", in -> {
                    try (GradMode g = GradMode.enabled()) {                  // R1 needs the graph of D even in no-grad checks
                        Tensor x = in.get(0).requiresGrad() ? in.get(0) : in.get(0).requireGrad();
                        bind(conv, in.get(1), in.get(2));
                        bind(fc, in.get(3), in.get(4));
                        Tensor logits = fc.forward(conv.forward(x).reshape(x.dim(0), 12));   // [N, 1]
                        return StyleGAN2Loss.r1Penalty(logits, x);                           // [N]
                    }
                })
                .inputs(AuditInput.normal("x", 1019, 2, 2, 4, 4), AuditInput.normal("conv.weight", 1020, 3, 2, 3, 3),
                        AuditInput.normal("conv.bias", 1021, 3), AuditInput.normal("fc.weight", 1022, 1, 12),
                        AuditInput.normal("fc.bias", 1023, 1))
                .torch(t -> {
                    org.bytedeco.pytorch.Tensor x = TorchStyleGan.requiringGrad(t.get(0));
                    org.bytedeco.pytorch.Tensor features = TorchStyleGan.convLreluDown2(x, t.get(1), t.get(2));
                    org.bytedeco.pytorch.Tensor logits = TorchStyleGan.fullyConnectedLinear(
                            features.reshape(x.size(0), 12), t.get(3), t.get(4));
                    return TorchStyleGan.r1Penalty(logits, x);
                }).build();
    }

    /**
     * The path lengths ||J_w^T y|| of a two-layer synthesis g(ws) = modconv(modconv(x, w0, ws[:,0] A0^T + 1),
     * w1, ws[:,1] A1^T + 1) (both demodulated, as stylegan2-ada's slow path): the first-order column is a second
     * derivative through modulated convolution, as the path-length regulariser's gradient needs, the
     * second-order column a third.
     */
    private static AuditCase pathLengths() {
        return AuditCase.layer("path_lengths", in -> {
                    try (GradMode g = GradMode.enabled()) {                 // the lengths need the graph of g(ws)
                        Tensor ws = in.get(0).requiresGrad() ? in.get(0) : in.get(0).requireGrad();
                        Tensor s0 = ws.slice(1, 0, 1).reshape(2, 3).matmul(in.get(1), false, true).add(1);
                        Tensor s1 = ws.slice(1, 1, 2).reshape(2, 3).matmul(in.get(3), false, true).add(1);
                        Tensor h = ModulatedConv2d.modulatedConv2d(in.get(5), in.get(2), s0, null, 1, 1,
                                FirFilter.RESAMPLE, true, ModConvMode.FUSED);
                        Tensor img = ModulatedConv2d.modulatedConv2d(h, in.get(4), s1, null, 1, 1,
                                FirFilter.RESAMPLE, true, ModConvMode.FUSED);
                        return StyleGAN2Loss.pathLengths(img, ws, in.get(6));                       // [N]
                    }
                })
                .inputs(AuditInput.normal("ws", 1025, 2, 2, 3), AuditInput.normal("affine0", 1026, 2, 3),
                        AuditInput.normal("w0", 1027, 3, 2, 3, 3), AuditInput.normal("affine1", 1028, 3, 3),
                        AuditInput.normal("w1", 1029, 2, 3, 3, 3), AuditInput.normal("x", 1030, 2, 2, 4, 4).constant(),
                        AuditInput.normal("pl_noise", 1031, 2, 2, 4, 4).constant())
                .torch(t -> {
                    org.bytedeco.pytorch.Tensor ws = TorchStyleGan.requiringGrad(t.get(0));
                    org.bytedeco.pytorch.Tensor s0 = ws.select(1, 0).matmul(t.get(1).t()).add(new Scalar(1));
                    org.bytedeco.pytorch.Tensor s1 = ws.select(1, 1).matmul(t.get(3).t()).add(new Scalar(1));
                    org.bytedeco.pytorch.Tensor h = TorchStyleGan.modulatedConv2d(t.get(5), t.get(2), s0, 1);
                    org.bytedeco.pytorch.Tensor img = TorchStyleGan.modulatedConv2d(h, t.get(4), s1, 1);
                    return TorchStyleGan.pathLengths(img, ws, t.get(6));
                }).build();
    }

    /** Sets the module's parameters, in declaration order, to the given tensors. */
    private static void bind(Module module, Tensor... values) {
        var parameters = module.namedParameters().values().iterator();
        for (Tensor v : values) {
            parameters.next().set(v);
        }
    }
}
