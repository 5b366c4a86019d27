package facegen.nn.facenets;

/**
 * A detected face: box in image pixels and the detector's confidence.
 *
 * @param x      left edge
 * @param y      top edge
 * @param width  box width
 * @param height box height
 * @param score  sigmoid confidence in (0, 1)
 */
public record FaceBox(double x, double y, double width, double height, double score) {

    /** The square integer crop around this box inside an image of the given size ({@link Crop#squareAround}). */
    public Crop squareCrop(int imageWidth, int imageHeight) {
        return Crop.squareAround(x, y, width, height, imageWidth, imageHeight);
    }

    /** Intersection over union with {@code o} (face-api {@code src/ops/iou.ts}). */
    public double iou(FaceBox o) {
        double w = Math.max(0, Math.min(x + width, o.x + o.width) - Math.max(x, o.x));
        double h = Math.max(0, Math.min(y + height, o.y + o.height) - Math.max(y, o.y));
        double inter = w * h;
        return inter / (width * height + o.width * o.height - inter);
    }
}
