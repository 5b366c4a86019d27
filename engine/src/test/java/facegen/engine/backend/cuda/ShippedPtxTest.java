package facegen.engine.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The build shipped PTX for every kernel source, and ptxas accepts each for sm_80 (no GPU needed). */
class ShippedPtxTest {

    @Test
    void everyKernelSourceHasShippedPtxThatPtxasAccepts(@TempDir Path work) throws Exception {
        Path ptxas = ptxas();
        assumeTrue(ptxas != null, "no ptxas on the PATH, in CUDA_HOME or /usr/local/cuda/bin:"
                + " the shipped PTX cannot be validated here");
        List<String> sources = kernelSources();
        assertThat(sources).contains("smoke");
        assertThat(ShippedPtx.find()).as("PTX build stamp " + ShippedPtx.FOLDER + "compiler.txt")
                .hasValueSatisfying(shipped -> assertThat(shipped.compiler()).startsWith("nvcc "));
        for (String source : sources) {
            String ptx = PtxSource.resource(ShippedPtx.FOLDER + source + ".ptx");
            assertThat(ptx).as("shipped PTX of kernels/" + source + ".cl").isNotNull().contains(".entry");
            Path file = Files.writeString(work.resolve(source + ".ptx"), ptx);
            Process process = new ProcessBuilder(ptxas.toString(), "-arch=sm_80", file.toString(), "-o",
                    work.resolve(source + ".cubin").toString()).redirectErrorStream(true).start();
            String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor()).as("ptxas on " + source + ".ptx: " + log).isZero();
        }
    }

    /** Names of the {@code kernels/*.cl} beside {@code prelude.h}, from a folder or a jar on the class path. */
    private static List<String> kernelSources() throws IOException, URISyntaxException {
        URL prelude = ShippedPtxTest.class.getClassLoader().getResource(PtxSource.KERNELS + "prelude.h");
        assertThat(prelude).as(PtxSource.KERNELS + "prelude.h on the class path").isNotNull();
        URI uri = prelude.toURI();
        if (uri.getScheme().equals("jar")) {
            try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of())) {
                return clFiles(jar.provider().getPath(uri).getParent());
            }
        }
        return clFiles(Path.of(uri).getParent());
    }

    private static List<String> clFiles(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            List<String> names = new ArrayList<>();
            files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".cl"))
                    .forEach(n -> names.add(n.substring(0, n.length() - ".cl".length())));
            return names;
        }
    }

    private static Path ptxas() {
        List<Path> candidates = new ArrayList<>();
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty()) {
                candidates.add(Path.of(dir, "ptxas"));
            }
        }
        for (String home : new String[] {System.getenv("CUDA_HOME"), System.getenv("CUDA_PATH"), "/usr/local/cuda"}) {
            if (home != null) {
                candidates.add(Path.of(home, "bin", "ptxas"));
            }
        }
        return candidates.stream().filter(Files::isExecutable).findFirst().orElse(null);
    }
}
