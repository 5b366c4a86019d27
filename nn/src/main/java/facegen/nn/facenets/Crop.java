package facegen.nn.facenets;

/**
 * An integer pixel rectangle of an image, the region a face network reads (face-api's {@code extractFaceTensors}
 * slices such a box out of the image).
 *
 * @param x      left column
 * @param y      top row
 * @param width  columns (> 0)
 * @param height rows (> 0)
 */
public record Crop(int x, int y, int width, int height) {

    /** Checks the extents are positive and the corner non-negative. */
    public Crop {
        if (width <= 0 || height <= 0 || x < 0 || y < 0) {
            throw new IllegalArgumentException("crop needs x, y >= 0 and positive size, got " + this);
        }
    }

    /**
     * The square around a box's centre whose side is the box's longer edge (rounded), shifted to lie inside an
     * imageWidth x imageHeight image and shrunk when the image is smaller. tools/tfjs-reference/reference.mjs
     * ({@code squareCrop}) crops the same way for the reference outputs.
     */
    public static Crop squareAround(double boxX, double boxY, double boxWidth, double boxHeight, int imageWidth, int imageHeight) {
        int side = (int) Math.min(Math.min(Math.round(Math.max(boxWidth, boxHeight)), imageWidth), imageHeight);
        side = Math.max(side, 1);
        double cx = boxX + boxWidth / 2;
        double cy = boxY + boxHeight / 2;
        // Java's Math.round rounds halves up, as JavaScript's does
        int x = (int) Math.min(Math.max(Math.round(cx - side / 2.0), 0), imageWidth - side);
        int y = (int) Math.min(Math.max(Math.round(cy - side / 2.0), 0), imageHeight - side);
        return new Crop(x, y, side, side);
    }

    /** Whether the rectangle lies inside an image of that size. */
    public boolean fits(int imageWidth, int imageHeight) {
        return x + width <= imageWidth && y + height <= imageHeight;
    }
}
