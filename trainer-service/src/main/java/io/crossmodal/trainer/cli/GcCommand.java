package io.crossmodal.trainer.cli;

import io.crossmodal.lifecycle.GcReport;
import io.crossmodal.lifecycle.ModelLifecycle;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code gc}: deletes the versions that no alias, rollback or the newest N need (docs/LIFECYCLE.md). */
@Command(name = "gc", description = "Delete versions no alias, rollback or the newest N need.")
final class GcCommand implements Callable<Integer> {
    @Mixin
    HelpOption help;

    @Mixin
    RegistryOption registry;

    @Option(names = "--model", required = true, paramLabel = "NAME", description = "Model name.")
    String model;

    @Option(names = "--keep-latest", defaultValue = "1", paramLabel = "N",
            description = "Keep the newest N versions (default: ${DEFAULT-VALUE}).")
    int keepLatest;

    @Option(names = "--dry-run", description = "Only print what would be deleted.")
    boolean dryRun;

    @Option(names = "--prune-rollback-targets", description = "Also delete earlier production versions (rollback targets).")
    boolean pruneRollbackTargets;

    @Override
    public Integer call() {
        GcReport r = new ModelLifecycle(registry.path()).gc(model, keepLatest, pruneRollbackTargets, dryRun);
        r.kept().forEach((v, why) -> System.out.printf("keep   %s/%d (%s)%n", model, v, String.join(", ", why)));
        for (int v : r.deleted()) {
            System.out.printf("%s %s/%d%n", dryRun ? "would delete" : "deleted", model, v);
        }
        for (String l : r.leftovers()) {
            System.out.printf("%s %s/%s (left by a crashed writer)%n", dryRun ? "would remove" : "removed", model, l);
        }
        System.out.printf("%s: %d kept, %d %s%n", model, r.kept().size(), r.deleted().size(),
                dryRun ? "to delete (dry run)" : "deleted");
        return 0;
    }
}
