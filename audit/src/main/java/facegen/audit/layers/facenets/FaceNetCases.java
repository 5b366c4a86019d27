package facegen.audit.layers.facenets;

import facegen.audit.AuditCase;
import facegen.audit.AuditInput;
import facegen.audit.Derivative;
import facegen.engine.backend.Backend;
import facegen.engine.tensor.GradMode;
import facegen.engine.tensor.Tensor;
import facegen.engine.tensor.TensorScope;
import facegen.nn.facenets.Crop;
import facegen.nn.facenets.FaceLandmark68Net;
import facegen.nn.facenets.FaceLosses;
import facegen.nn.facenets.FaceRecognitionNet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Layer rows of the face losses that supervise AlbedoGAN's training through pretrained networks (face-api's
 * landmark and recognition nets, TF.js weights run on our engine): identity 1 - cos, mean landmark distance and the
 * perceptual loss on the recognition net's stage features, each differentiated w.r.t. the input image and checked
 * against float64 central differences. One float64 evaluation of a whole net takes seconds, so a few pixels are
 * differenced; the nets' forward values are matched with TF.js in nn's tests, hence no torch column.
 */
public final class FaceNetCases {
    /** A small image: the nets resize it up to their inputs, and the reference backend stays within seconds. */
    private static final int SIZE = 24;
    private static final Crop WHOLE = new Crop(0, 0, SIZE, SIZE);
    /** Pixels differenced per row. */
    private static final int COORDINATES = 3;
    /** Pixel values are 0..255: a step of 1e-3 keeps the h^2 truncation and the rounding both below 1e-8. */
    private static final double EPS = 1e-3;
    private static final String NO_TORCH = "face-api's nets are TF.js models; nn's tests match their outputs with TF.js";

    private static final Map<Backend, Recognition> RECOGNITION = new IdentityHashMap<>();
    private static final Map<Backend, Landmarks> LANDMARKS = new IdentityHashMap<>();

    /** The recognition net on one backend and its outputs for the target image (the second pattern). */
    private record Recognition(FaceRecognitionNet net, Tensor descriptor, List<Tensor> stages) {}

    /** The landmark net on one backend and its landmarks for the target image. */
    private record Landmarks(FaceLandmark68Net net, Tensor points) {}

    private FaceNetCases() {}

    /** Every face-loss row. */
    public static List<AuditCase> cases() {
        return List.of(
                AuditCase.layer("face_identity_loss", in -> {
                    Recognition r = recognition(in.get(0).backend());
                    return FaceLosses.identity(r.net().descriptor(in.get(0), WHOLE), r.descriptor());
                }).inputs(image()).noTorch(NO_TORCH).eps(EPS).coordinates(COORDINATES)
                        .secondOrder(Derivative.NOT_NEEDED).build(),
                AuditCase.layer("face_landmark_loss", in -> {
                    Landmarks l = landmarks(in.get(0).backend());
                    return FaceLosses.landmark(l.net().landmarks(in.get(0), WHOLE), l.points());
                }).inputs(image()).noTorch(NO_TORCH).eps(EPS).coordinates(COORDINATES)
                        .secondOrder(Derivative.NOT_NEEDED).build(),
                AuditCase.layer("face_perceptual_loss", in -> {
                    Recognition r = recognition(in.get(0).backend());
                    return FaceLosses.perceptual(r.net().features(in.get(0), WHOLE).stages(), r.stages());
                }).inputs(image()).noTorch(NO_TORCH).eps(EPS).coordinates(COORDINATES)
                        .secondOrder(Derivative.NOT_NEEDED).build());
    }

    private static AuditInput image() {
        return AuditInput.values("image", pattern(1), 1, 3, SIZE, SIZE);
    }

    private static Tensor pattern(Backend backend, int variant) {
        return Tensor.of(backend, pattern(variant), 1, 3, SIZE, SIZE);
    }

    /** A smooth colour pattern in 0..255 (no ties for the max pools), different for each {@code variant}. */
    private static double[] pattern(int variant) {
        double[] v = new double[3 * SIZE * SIZE];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    v[(c * SIZE + y) * SIZE + x] = 128 + 90 * Math.sin(0.3 * variant * x + 0.2 * y + c)
                            * Math.cos(0.25 * y - 0.1 * variant * x);
                }
            }
        }
        return v;
    }

    // Each backend's net and target live for the JVM's life, outside the checks' tensor scopes, computed once
    // rather than in every one of the central differences' evaluations.

    private static synchronized Recognition recognition(Backend backend) {
        return RECOGNITION.computeIfAbsent(backend, b -> detached(() -> {
            FaceRecognitionNet net = FaceRecognitionNet.load(weights(), b);
            FaceRecognitionNet.Features target = net.features(pattern(b, 2), WHOLE);
            return new Recognition(net, target.descriptor().detach(),
                    target.stages().stream().map(Tensor::detach).toList());
        }));
    }

    private static synchronized Landmarks landmarks(Backend backend) {
        return LANDMARKS.computeIfAbsent(backend, b -> detached(() -> {
            FaceLandmark68Net net = FaceLandmark68Net.load(weights(), b);
            return new Landmarks(net, net.landmarks(pattern(b, 2), WHOLE).detach());
        }));
    }

    private interface Loader<T> {
        T load() throws IOException;
    }

    private static <T> T detached(Loader<T> loader) {
        try (TensorScope _ = TensorScope.detached(); GradMode _ = GradMode.disabled()) {
            return loader.load();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** test-data/face-api from the repository root (the CLI) or from a module folder (Maven's tests). */
    private static Path weights() {
        for (Path p : List.of(Path.of("test-data/face-api"), Path.of("../test-data/face-api"))) {
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        throw new IllegalStateException("face-api weights not found: test-data/face-api (from the repository root)");
    }
}
