package facegen.nn.facenets;

import facegen.nn.io.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The outputs of face-api's own TF.js runtime in test-data/facenets-reference/face-api.json (regenerate with
 * tools/tfjs-reference), one {@link Image} per photo in test-data/photos.
 */
record FaceApiReference(List<Image> images) {
    static final Path WEIGHTS = Path.of("../test-data/face-api");
    static final Path PHOTOS = Path.of("../test-data/photos");

    static final Path HUMAN_MODELS = Path.of("../test-data/human-models");

    /**
     * One photo's reference: detections [x, y, w, h, score], crop, 68 landmarks in image px, 128-D descriptor,
     * 192-D mobilefacenet embedding.
     */
    record Image(String name, List<double[]> detections, Crop crop, double[][] landmarks, double[] descriptor,
                 double[] mobilefacenet) {}

    static FaceApiReference load() throws IOException {
        Map<?, ?> root = (Map<?, ?>) Json.parse(Files.readString(Path.of("../test-data/facenets-reference/face-api.json")));
        return new FaceApiReference(((List<?>) root.get("images")).stream().map(o -> image((Map<?, ?>) o)).toList());
    }

    Image image(String name) {
        return images.stream().filter(i -> i.name.equals(name)).findFirst().orElseThrow();
    }

    private static Image image(Map<?, ?> m) {
        List<double[]> detections = ((List<?>) m.get("detections")).stream().map(o -> {
            Map<?, ?> d = (Map<?, ?>) o;
            return new double[] {num(d.get("x")), num(d.get("y")), num(d.get("width")), num(d.get("height")), num(d.get("score"))};
        }).toList();
        Map<?, ?> c = (Map<?, ?>) m.get("crop");
        Crop crop = c == null ? null : new Crop((int) num(c.get("x")), (int) num(c.get("y")), (int) num(c.get("size")), (int) num(c.get("size")));
        double[][] landmarks = m.get("landmarks") == null ? null : ((List<?>) m.get("landmarks")).stream()
                .map(p -> ((List<?>) p).stream().mapToDouble(FaceApiReference::num).toArray()).toArray(double[][]::new);
        return new Image((String) m.get("image"), detections, crop, landmarks, vector(m.get("descriptor")), vector(m.get("mobilefacenet")));
    }

    private static double[] vector(Object list) {
        return list == null ? null : ((List<?>) list).stream().mapToDouble(FaceApiReference::num).toArray();
    }

    private static double num(Object o) {
        return ((Number) o).doubleValue();
    }
}
