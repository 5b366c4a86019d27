package facegen.data;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The PNG files under a folder (searched recursively, in sorted path order, so indices are stable) as a
 * dataset; every file is decoded and checked when the folder is opened, so a bad file stops training before it
 * starts rather than hours in.
 */
public final class PngFolder implements ImageDataset {
    /** How many offending files an error message lists. */
    private static final int LISTED_PROBLEMS = 8;

    private final Path root;
    private final int resolution;
    private final List<byte[]> images;

    private PngFolder(Path root, int resolution, List<byte[]> images) {
        this.root = root;
        this.resolution = resolution;
        this.images = images;
    }

    /**
     * Opens every {@code *.png} under {@code root}.
     *
     * @param resolution the side every image must have
     * @throws IllegalArgumentException when the folder has no PNG, or listing each file that is not a decodable
     *                                  {@code resolution x resolution} RGB image (wrong size, grayscale, alpha, corrupt)
     * @throws IOException              when the folder cannot be read
     */
    public static PngFolder open(Path root, int resolution) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("dataset folder " + root + " does not exist or is not a folder");
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png"))
                    .sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no .png files under " + root);
        }
        List<byte[]> images = new ArrayList<>(files.size());
        List<String> problems = new ArrayList<>();
        for (Path f : files) {
            String name = root.relativize(f).toString();
            try {
                BufferedImage img = ImageIO.read(f.toFile());
                String problem = img == null ? "is not a readable PNG" : check(img, resolution);
                if (problem != null) {
                    problems.add(name + " " + problem);
                } else {
                    images.add(planar(img, resolution));
                }
            } catch (IOException | RuntimeException e) {
                problems.add(name + " is corrupt (" + e.getMessage() + ")");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(problems.size() + " of " + files.size() + " images under " + root
                    + " are not " + resolution + "x" + resolution + " RGB: "
                    + String.join("; ", problems.subList(0, Math.min(LISTED_PROBLEMS, problems.size())))
                    + (problems.size() > LISTED_PROBLEMS ? "; and " + (problems.size() - LISTED_PROBLEMS) + " more" : "")
                    + ". Resize or convert them, or remove them from the folder");
        }
        return new PngFolder(root, resolution, List.copyOf(images));
    }

    /** Why {@code img} does not fit, or null when it does. */
    private static String check(BufferedImage img, int resolution) {
        if (img.getWidth() != resolution || img.getHeight() != resolution) {
            return "is " + img.getWidth() + "x" + img.getHeight() + ", expected " + resolution + "x" + resolution;
        }
        int colors = img.getColorModel().getNumColorComponents();
        boolean alpha = img.getColorModel().hasAlpha();
        if (colors != 3 || alpha) {
            return "has " + (colors + (alpha ? 1 : 0)) + " channels (" + (colors == 1 ? "grayscale" : colors == 3 ? "RGB" : "?")
                    + (alpha ? " + alpha" : "") + "), expected 3 (RGB)";
        }
        return null;
    }

    private static byte[] planar(BufferedImage img, int r) {
        byte[] out = new byte[3 * r * r];
        for (int y = 0; y < r; y++) {
            for (int x = 0; x < r; x++) {
                int rgb = img.getRGB(x, y);
                out[y * r + x] = (byte) (rgb >> 16);
                out[r * r + y * r + x] = (byte) (rgb >> 8);
                out[2 * r * r + y * r + x] = (byte) rgb;
            }
        }
        return out;
    }

    @Override
    public int size() {
        return images.size();
    }

    @Override
    public int resolution() {
        return resolution;
    }

    @Override
    public String describe() {
        return images.size() + " PNGs under " + root;
    }

    @Override
    public byte[] image(int index) {
        return images.get(index).clone();
    }
}
