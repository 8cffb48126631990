package io.crossmodal.trainer.cli;

import io.crossmodal.lifecycle.ModelLifecycle;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lineage}: one version's lineage as JSON. */
@Command(name = "lineage", description = "One version's lineage as JSON.")
final class LineageCommand implements Callable<Integer> {
    @Mixin
    HelpOption help;

    @Mixin
    RegistryOption registry;

    @Option(names = "--model", required = true, paramLabel = "NAME", description = "Model name.")
    String model;

    @Option(names = "--version", defaultValue = "latest", paramLabel = "V|alias",
            description = "Version number or alias (default: ${DEFAULT-VALUE}).")
    String version;

    @Override
    public Integer call() {
        ModelLifecycle lc = new ModelLifecycle(registry.path());
        System.out.println(ModelLifecycle.toJson(lc.lineage(model, lc.registry().resolve(model, version))));
        return 0;
    }
}
