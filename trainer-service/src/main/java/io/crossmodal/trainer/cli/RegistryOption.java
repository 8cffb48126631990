package io.crossmodal.trainer.cli;

import io.crossmodal.trainer.config.JobConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --registry DIR}, defaulting to {@code $CROSSMODAL_REGISTRY_DIR} or {@code ~/.cache/crossmodal/registry}. */
final class RegistryOption {
    @Option(names = "--registry", paramLabel = "DIR",
            description = "Model registry (default: $CROSSMODAL_REGISTRY_DIR, or ~/.cache/crossmodal/registry).")
    Path registry;

    Path path() {
        return registry != null ? registry : Path.of(JobConfig.defaultRegistry());
    }
}
