package io.crossmodal.trainer.cli;

import io.crossmodal.lifecycle.DecisionRecord;
import io.crossmodal.lifecycle.ModelLifecycle;
import io.crossmodal.lifecycle.Provenance;
import io.crossmodal.lifecycle.gate.GateConfig;
import io.crossmodal.trainer.lifecycle.Promoter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code promote}: the promotion gate (docs/LIFECYCLE.md); exit 3 when the gate refuses. */
@Command(name = "promote", description = "Evaluate candidate and production on the candidate's test split, apply the gate, "
        + "record the decision, move 'production' if it passed (exit 3 if refused).")
final class PromoteCommand implements Callable<Integer> {
    /** Exit code of a promote that the gate refused (the decision is recorded; nothing moved). */
    static final int EXIT_REFUSED = 3;

    @Mixin
    HelpOption help;

    @Mixin
    RegistryOption registry;

    @Option(names = "--model", required = true, paramLabel = "NAME", description = "Model name.")
    String model;

    @Option(names = "--candidate", defaultValue = ModelLifecycle.CANDIDATE, paramLabel = "V|alias",
            description = "The version to promote (default: ${DEFAULT-VALUE}).")
    String candidate;

    @Option(names = "--gate", required = true, paramLabel = "GATE.json", description = "The gate config.")
    Path gate;

    @Option(names = "--actor", paramLabel = "WHO", description = "Recorded as the decision's actor.")
    String actor;

    @Override
    public Integer call() throws Exception {
        GateConfig config = GateConfig.read(gate);
        DecisionRecord d = Promoter.promote(registry.path(), model, candidate, config, gate.toString(), Provenance.actor(actor));
        System.out.print(Promoter.render(d));
        System.out.println("  record: " + new ModelLifecycle(registry.path()).decisionFile(model, d.id()));
        return d.decision().equals(DecisionRecord.PROMOTED) ? 0 : EXIT_REFUSED;
    }
}
