package io.crossmodal.trainer.cli;

import io.crossmodal.lifecycle.DecisionRecord;
import io.crossmodal.lifecycle.ModelLifecycle;
import io.crossmodal.lifecycle.Provenance;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code rollback}: 'production' back to the previous production version (docs/LIFECYCLE.md). */
@Command(name = "rollback", description = "Point 'production' back at the previous production version.")
final class RollbackCommand implements Callable<Integer> {
    @Mixin
    HelpOption help;

    @Mixin
    RegistryOption registry;

    @Option(names = "--model", required = true, paramLabel = "NAME", description = "Model name.")
    String model;

    @Option(names = "--actor", paramLabel = "WHO", description = "Recorded as the decision's actor.")
    String actor;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Recorded with the decision.")
    String reason;

    @Override
    public Integer call() {
        ModelLifecycle lc = new ModelLifecycle(registry.path());
        DecisionRecord d = lc.rollback(model, Provenance.actor(actor), reason);
        System.out.println(d.summary());
        System.out.println("  decision " + d.id() + ": " + lc.decisionFile(model, d.id()));
        return 0;
    }
}
