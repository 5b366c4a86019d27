package facegen.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The {@code --models DIR} option of the face-network commands: where face-api's weight manifests are. */
final class FaceModelsOption {
    @Option(names = "--models", defaultValue = "test-data/face-api", paramLabel = "DIR",
            description = "Folder with face-api's weight manifests and .bin files (see test-data/face-api/README.md). Default: ${DEFAULT-VALUE}.")
    Path dir;
}
