import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * Regenerates {@code face_mesh.txt} from the two npm tarballs (run from this folder, Java 25, no dependencies):
 * <pre>
 *   npm pack @mediapipe/face_mesh@0.4.1657299874 @vladmandic/human@3.3.6
 *   java Extract.java mediapipe-face_mesh-0.4.1657299874.tgz vladmandic-human-3.3.6.tgz face_mesh.txt
 * </pre>
 * From the MediaPipe package: bytes [3737848, 3757224) of {@code face_mesh_solution_packed_assets.data} are
 * {@code geometry_pipeline_metadata_landmarks.binarypb} (offsets from {@code face_mesh_solution_packed_assets_loader.js}),
 * a proto2 message whose field 1 is the canonical mesh: field 3 = vertex buffer of 468 x (x, y, z, u, v) floats
 * (unpacked fixed32), field 4 = index buffer of 2694 varints (898 triangles). From the human package:
 * {@code src/face/facemeshcoords.ts}, the {@code VTX68} landmark indices and the {@code meshAnnotations} contours.
 * Floats are written with {@link Float#toString}, which round-trips float32 exactly.
 */
public final class Extract {
    private static final String MESH_ENTRY = "package/face_mesh_solution_packed_assets.data";
    private static final int MESH_START = 3_737_848;
    private static final int MESH_END = 3_757_224;
    private static final String COORDS_ENTRY = "package/src/face/facemeshcoords.ts";

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: java Extract.java MEDIAPIPE_TGZ HUMAN_TGZ OUT_TXT");
            System.exit(2);
        }
        byte[] packed = tarEntry(Path.of(args[0]), MESH_ENTRY);
        byte[] metadata = java.util.Arrays.copyOfRange(packed, MESH_START, MESH_END);
        byte[] mesh = field(metadata, 1);
        List<Float> vertexBuffer = new ArrayList<>();
        List<Long> indexBuffer = new ArrayList<>();
        Proto p = new Proto(mesh);
        while (p.more()) {
            long key = p.varint();
            int number = (int) (key >>> 3);
            int wire = (int) (key & 7);
            if (number == 3 && wire == 5) {
                vertexBuffer.add(Float.intBitsToFloat(p.fixed32()));
            } else if (number == 4 && wire == 0) {
                indexBuffer.add(p.varint());
            } else {
                p.skip(wire);
            }
        }
        if (vertexBuffer.size() != 468 * 5 || indexBuffer.size() != 898 * 3) {
            throw new IllegalStateException("unexpected mesh: " + vertexBuffer.size() + " floats, " + indexBuffer.size() + " indices");
        }
        String coords = new String(tarEntry(Path.of(args[1]), COORDS_ENTRY), StandardCharsets.UTF_8);
        List<Integer> vtx68 = numbers(block(coords, "export const VTX68: number[] = ["));
        if (vtx68.size() != 68) {
            throw new IllegalStateException("VTX68 has " + vtx68.size() + " entries");
        }
        Map<String, List<Integer>> annotations = annotations(block(coords, "export const meshAnnotations: Record<string, number[]> = {"));

        StringBuilder out = new StringBuilder();
        out.append("# MediaPipe canonical face mesh (Apache-2.0) from @mediapipe/face_mesh@0.4.1657299874 and\n");
        out.append("# 68-landmark indices + contours (MIT) from @vladmandic/human@3.3.6; regenerate with Extract.java.\n");
        out.append("# Units cm; x to the face's left, y up, z out of the face; uv in [0, 1], v down (image rows).\n");
        out.append("vertices ").append(468).append('\n');
        for (int i = 0; i < 468; i++) {
            for (int k = 0; k < 5; k++) {
                out.append(k == 0 ? "" : " ").append(Float.toString(vertexBuffer.get(i * 5 + k)));
            }
            out.append('\n');
        }
        out.append("triangles ").append(898).append('\n');
        for (int t = 0; t < 898; t++) {
            out.append(indexBuffer.get(3 * t)).append(' ').append(indexBuffer.get(3 * t + 1)).append(' ')
                    .append(indexBuffer.get(3 * t + 2)).append('\n');
        }
        out.append("landmarks68");
        vtx68.forEach(i -> out.append(' ').append(i));
        out.append('\n');
        annotations.forEach((name, list) -> {
            if (list.stream().anyMatch(i -> i >= 468)) {
                return;                                      // iris points belong to the 478-point refined model
            }
            out.append("contour ").append(name);
            list.forEach(i -> out.append(' ').append(i));
            out.append('\n');
        });
        byte[] bytes = out.toString().getBytes(StandardCharsets.UTF_8);
        Files.write(Path.of(args[2]), bytes);
        System.out.println("wrote " + args[2] + " (" + bytes.length + " bytes), sha256 "
                + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
    }

    /** The bytes of one file inside a .tgz (POSIX ustar, as npm pack writes). */
    private static byte[] tarEntry(Path tgz, String name) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(tgz))) {
            byte[] header = new byte[512];
            while (in.readNBytes(header, 0, 512) == 512) {
                String entry = new String(header, 0, 100, StandardCharsets.US_ASCII).replace("\0", "");
                if (entry.isEmpty()) {
                    break;
                }
                String prefix = new String(header, 345, 155, StandardCharsets.US_ASCII).replace("\0", "");
                String full = prefix.isEmpty() ? entry : prefix + "/" + entry;
                long size = Long.parseLong(new String(header, 124, 12, StandardCharsets.US_ASCII).replace("\0", "").trim(), 8);
                byte[] data = in.readNBytes((int) size);
                in.readNBytes((int) ((512 - size % 512) % 512));
                if (full.equals(name)) {
                    return data;
                }
            }
        }
        throw new IOException(name + " not found in " + tgz);
    }

    /** The first length-delimited field {@code number} of a message. */
    private static byte[] field(byte[] message, int number) {
        Proto p = new Proto(message);
        while (p.more()) {
            long key = p.varint();
            if ((int) (key >>> 3) == number && (key & 7) == 2) {
                return p.bytes();
            }
            p.skip((int) (key & 7));
        }
        throw new IllegalStateException("field " + number + " not found");
    }

    private static String block(String source, String opening) {
        int start = source.indexOf(opening);
        if (start < 0) {
            throw new IllegalStateException("not found: " + opening);
        }
        int from = start + opening.length();
        int end = source.indexOf(opening.endsWith("{") ? "};" : "];", from);
        return source.substring(from, end);
    }

    private static List<Integer> numbers(String text) {
        List<Integer> out = new ArrayList<>();
        String code = text.replaceAll("/\\*.*?\\*/", " ").replaceAll("//[^\n]*", " ");
        Matcher m = Pattern.compile("\\d+").matcher(code);
        while (m.find()) {
            out.add(Integer.parseInt(m.group()));
        }
        return out;
    }

    private static Map<String, List<Integer>> annotations(String body) {
        Map<String, List<Integer>> out = new LinkedHashMap<>();
        String code = body.replaceAll("//[^\n]*", " ");
        Matcher m = Pattern.compile("(\\w+):\\s*\\[([^\\]]*)\\]").matcher(code);
        while (m.find()) {
            out.put(m.group(1), numbers(m.group(2)));
        }
        return out;
    }

    /** Minimal protobuf wire-format reader. */
    private static final class Proto {
        private final byte[] b;
        private int i;

        Proto(byte[] b) {
            this.b = b;
        }

        boolean more() {
            return i < b.length;
        }

        long varint() {
            long r = 0;
            for (int shift = 0; ; shift += 7) {
                int c = b[i++] & 0xff;
                r |= (long) (c & 0x7f) << shift;
                if (c < 0x80) {
                    return r;
                }
            }
        }

        int fixed32() {
            int v = (b[i] & 0xff) | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff) << 16 | (b[i + 3] & 0xff) << 24;
            i += 4;
            return v;
        }

        byte[] bytes() {
            int n = (int) varint();
            byte[] out = java.util.Arrays.copyOfRange(b, i, i + n);
            i += n;
            return out;
        }

        void skip(int wire) {
            switch (wire) {
                case 0 -> varint();
                case 1 -> i += 8;
                case 2 -> bytes();
                case 5 -> i += 4;
                default -> throw new IllegalStateException("wire type " + wire);
            }
        }
    }
}
