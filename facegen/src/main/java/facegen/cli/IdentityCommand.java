package facegen.cli;

import facegen.engine.backend.Backend;
import facegen.nn.facenets.FacePhoto;
import facegen.nn.facenets.FacePipeline;
import facegen.nn.facenets.FaceRecognitionNet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code facegen identity}: cosine similarity of the face descriptors of two photos. */
@Command(name = "identity", description = {
        "Detect the main face in each photo and print the cosine similarity of their 128-D face-api (dlib",
        "ResNet-34) descriptors, computed on our engine. 1 = same direction; dlib's same-person rule is distance < 0.6."})
final class IdentityCommand implements Callable<Integer> {
    @Mixin
    BackendOption backend;

    @Mixin
    FaceModelsOption models;

    @Parameters(index = "0", paramLabel = "A", description = "First photo.")
    Path a;

    @Parameters(index = "1", paramLabel = "B", description = "Second photo.")
    Path b;

    @Override
    public Integer call() throws Exception {
        try (Backend be = backend.create()) {
            FacePipeline pipeline = FacePipeline.load(models.dir, be);
            FacePipeline.Face fa = pipeline.mainFace(FacePhoto.read(a, be), a.toString());
            FacePipeline.Face fb = pipeline.mainFace(FacePhoto.read(b, be), b.toString());
            double cosine = FaceRecognitionNet.cosine(fa.descriptor(), fb.descriptor()).item();
            double distance = fa.descriptor().sub(fb.descriptor()).square().sumAll().sqrt().item();
            System.out.printf(Locale.ROOT, "%.6f%n", cosine);
            System.err.printf(Locale.ROOT, "cosine similarity %.6f, euclidean distance %.4f (dlib: same person below 0.6)%n",
                    cosine, distance);
        }
        return 0;
    }
}
