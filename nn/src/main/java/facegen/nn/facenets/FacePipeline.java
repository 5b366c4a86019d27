package facegen.nn.facenets;

import facegen.engine.backend.Backend;
import facegen.engine.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * detect -> crop -> landmarks -> identity embedding with face-api's three networks: the tiny face detector finds
 * boxes, each becomes the square crop around it ({@link Crop#squareAround}), which the 68-landmark net and the
 * recognition net read (each padding to a square and resizing to its own input). Landmarks and descriptors are
 * tensors on the image's graph, so losses on them differentiate w.r.t. the image (the crop is a fixed choice).
 *
 * @param detector   tiny face detector
 * @param landmarks  68-point landmark net
 * @param recognizer 128-D descriptor net
 */
public record FacePipeline(TinyFaceDetector detector, FaceLandmark68Net landmarks, FaceRecognitionNet recognizer) {

    /** One analysed face: its detection, the crop the nets read, 68 landmarks [1, 68, 2] in image px, descriptor [1, 128]. */
    public record Face(FaceBox box, Crop crop, Tensor landmarks, Tensor descriptor) {}

    /** Loads the three face-api manifests from {@code dir} (test-data/face-api) onto {@code backend}. */
    public static FacePipeline load(Path dir, Backend backend) throws IOException {
        return new FacePipeline(TinyFaceDetector.load(dir, backend), FaceLandmark68Net.load(dir, backend),
                FaceRecognitionNet.load(dir, backend));
    }

    /** Every face in image [1, 3, H, W] (values 0..255), best detection first; empty when there is none. */
    public List<Face> analyse(Tensor image) {
        return detect(image).stream().map(box -> face(image, box)).toList();
    }

    /**
     * The best face of the photo, failing with a message naming {@code source} when the detector finds none.
     *
     * @throws NoFaceException when no box scores above the threshold
     */
    public Face mainFace(Tensor image, String source) throws NoFaceException {
        List<FaceBox> boxes = detect(image);
        if (boxes.isEmpty()) {
            throw new NoFaceException(source + ": no face found (tiny face detector, score > "
                    + TinyFaceDetector.DEFAULT_SCORE_THRESHOLD + ")");
        }
        return face(image, boxes.getFirst());
    }

    private List<FaceBox> detect(Tensor image) {
        return detect(image, TinyFaceDetector.DEFAULT_SCORE_THRESHOLD);
    }

    /** The detector's boxes scoring above {@code scoreThreshold}, best first (e.g. a lower bar for renders). */
    public List<FaceBox> detect(Tensor image, double scoreThreshold) {
        return detector.detect(image, TinyFaceDetector.DEFAULT_INPUT_SIZE, scoreThreshold);
    }

    /** The face in {@code box} of image [1, 3, H, W]: its square crop, landmarks and descriptor. */
    public Face face(Tensor image, FaceBox box) {
        Crop crop = box.squareCrop(image.dim(3), image.dim(2));
        return new Face(box, crop, landmarks.landmarks(image, crop), recognizer.descriptor(image, crop));
    }

    /** A photo in which the detector finds no face. */
    public static final class NoFaceException extends Exception {
        /** Failure described by {@code message}. */
        public NoFaceException(String message) {
            super(message);
        }
    }
}
