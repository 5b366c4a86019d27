package facegen.cli;

import facegen.demo.LandmarkPictures;
import facegen.engine.backend.Backend;
import facegen.nn.facenets.FacePhoto;
import facegen.nn.facenets.FacePipeline;
import facegen.nn.io.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code facegen landmarks}: detect the main face of a photo and draw and save its 68 landmarks. */
@Command(name = "landmarks", description = {
        "Detect the main face of PHOTO (face-api tiny face detector), find its 68 iBUG landmarks (face-api's",
        "landmark net, on our engine), draw them on the photo into --out and write them as JSON beside it."})
final class LandmarksCommand implements Callable<Integer> {
    @Mixin
    BackendOption backend;

    @Mixin
    FaceModelsOption models;

    @Parameters(paramLabel = "PHOTO", description = "The photo (PNG, JPEG, ...).")
    Path photo;

    @Option(names = "--out", required = true, paramLabel = "OUT.png", description = "Annotated photo; the JSON goes to OUT.json.")
    Path out;

    @Override
    public Integer call() throws Exception {
        try (Backend b = backend.create()) {
            FacePipeline.Face face = FacePipeline.load(models.dir, b).mainFace(FacePhoto.read(photo, b), photo.toString());
            double[] points = face.landmarks().toArray();
            BufferedImage image = LandmarkPictures.readRgb(photo);
            Path json = out.resolveSibling(out.getFileName().toString().replaceFirst("(\\.png)?$", ".json"));
            LandmarkPictures.draw(image, points, Color.GREEN);
            LandmarkPictures.writePng(image, out);
            Files.writeString(json, json(face, points));
            System.out.printf(Locale.ROOT, "face at (%.1f, %.1f) %.1fx%.1f px, score %.3f; wrote %s and %s%n", face.box().x(),
                    face.box().y(), face.box().width(), face.box().height(), face.box().score(), out, json);
        }
        return 0;
    }

    private String json(FacePipeline.Face face, double[] points) {
        StringBuilder s = new StringBuilder("{\n  \"image\": ").append(Json.quote(photo.toString()))
                .append(String.format(Locale.ROOT, ",\n  \"box\": {\"x\": %.3f, \"y\": %.3f, \"width\": %.3f, \"height\": %.3f, \"score\": %.5f},",
                        face.box().x(), face.box().y(), face.box().width(), face.box().height(), face.box().score()))
                .append("\n  \"landmarks\": [");
        for (int i = 0; i < points.length / 2; i++) {
            s.append(i == 0 ? "\n    " : ",\n    ").append(String.format(Locale.ROOT, "[%.3f, %.3f]", points[2 * i], points[2 * i + 1]));
        }
        return s.append("\n  ]\n}\n").toString();
    }
}
