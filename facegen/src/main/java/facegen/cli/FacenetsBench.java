package facegen.cli;

import facegen.engine.backend.Backend;
import facegen.engine.tensor.GradMode;
import facegen.engine.tensor.Tensor;
import facegen.nn.facenets.Crop;
import facegen.nn.facenets.FaceBox;
import facegen.nn.facenets.FacePhoto;
import facegen.nn.facenets.FacePipeline;
import facegen.nn.facenets.MobileFaceNet;
import facegen.nn.facenets.TinyFaceDetector;
import facegen.nn.io.Json;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code facegen bench facenets}: images per second of the four face networks on our engine beside face-api's own
 * TF.js runtime in Node ({@code tools/tfjs-reference/bench.mjs}, same photo, same crop, same protocol: one
 * warm-up, then at least two runs and two seconds), one image at a time, as TSV.
 */
final class FacenetsBench {
    private static final Path PHOTO = Path.of("test-data/photos/astronaut.png");
    private static final Path NODE_SCRIPT = Path.of("tools/tfjs-reference/bench.mjs");
    private static final double MIN_SECONDS = 2;

    private FacenetsBench() {}

    /** Times our nets on {@code backend}, runs the Node side when node and its packages are installed, prints TSV. */
    static void run(Backend backend, Path models, Path humanModels, PrintStream out, PrintStream log) throws IOException {
        FacePipeline pipeline = FacePipeline.load(models, backend);
        MobileFaceNet mobile = MobileFaceNet.load(humanModels);
        Tensor image = FacePhoto.read(PHOTO, backend);
        Map<String, Double> ours = new LinkedHashMap<>();
        try (GradMode off = GradMode.disabled()) {
            FaceBox best = pipeline.detector().detect(image, TinyFaceDetector.DEFAULT_INPUT_SIZE, TinyFaceDetector.DEFAULT_SCORE_THRESHOLD).getFirst();
            Crop crop = best.squareCrop(image.dim(3), image.dim(2));
            ours.put("detector", imagesPerSecond(() -> pipeline.detector().detect(image, TinyFaceDetector.DEFAULT_INPUT_SIZE,
                    TinyFaceDetector.DEFAULT_SCORE_THRESHOLD)));
            ours.put("landmarks", imagesPerSecond(() -> pipeline.landmarks().landmarks(image, crop).toArray()));
            ours.put("recognition", imagesPerSecond(() -> pipeline.recognizer().descriptor(image, crop).toArray()));
            ours.put("mobilefacenet", imagesPerSecond(() -> mobile.embedding(image, crop).toArray()));
        }
        log.println("running " + NODE_SCRIPT + " (TF.js pure-JS cpu backend) ...");
        Map<?, ?> tfjs = nodeTimings(log);
        out.println("net\tours_images_per_s\ttfjs_images_per_s\tspeedup");
        ours.forEach((net, ips) -> {
            double theirs = tfjs.get(net) instanceof Number n ? n.doubleValue() : Double.NaN;
            out.printf(Locale.ROOT, "%s\t%.3f\t%.3f\t%.2f%n", net, ips, theirs, ips / theirs);
        });
        log.println("ours: backend " + backend.name() + ", " + Runtime.getRuntime().availableProcessors() + " cores; tfjs: "
                + (tfjs.get("runtime") == null ? "not run" : tfjs.get("runtime")) + "; speedup = ours / tfjs (higher is better)");
    }

    /** Images per second of {@code step}, which reads its result back to the host so all work is counted. */
    private static double imagesPerSecond(Runnable step) {
        step.run();
        int n = 0;
        long start = System.nanoTime();
        while (n < 2 || (System.nanoTime() - start) / 1e9 < MIN_SECONDS) {
            step.run();
            n++;
        }
        return n / ((System.nanoTime() - start) / 1e9);
    }

    /** The JSON line bench.mjs prints, or an empty map (with the reason logged) when Node or its packages are missing. */
    private static Map<?, ?> nodeTimings(PrintStream log) {
        if (!Files.isDirectory(NODE_SCRIPT.resolveSibling("node_modules"))) {
            log.println("tfjs side skipped: run `npm ci` in " + NODE_SCRIPT.getParent() + " first (see its README)");
            return Map.of();
        }
        try {
            Process p = new ProcessBuilder("node", NODE_SCRIPT.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String last = "";
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    last = line.isBlank() ? last : line;
                }
            }
            if (p.waitFor() != 0 || !(Json.parse(last) instanceof Map<?, ?> m)) {
                log.println("tfjs side failed (exit " + p.exitValue() + "): " + last);
                return Map.of();
            }
            return m;
        } catch (IOException | IllegalArgumentException e) {
            log.println("tfjs side skipped: " + e.getMessage());
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
    }
}
