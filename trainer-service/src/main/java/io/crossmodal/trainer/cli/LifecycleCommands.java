package io.crossmodal.trainer.cli;

import io.crossmodal.lifecycle.AliasChange;
import io.crossmodal.lifecycle.DecisionRecord;
import io.crossmodal.lifecycle.gate.GateConfig;
import io.crossmodal.lifecycle.GcReport;
import io.crossmodal.lifecycle.Lineage;
import io.crossmodal.lifecycle.ModelLifecycle;
import io.crossmodal.lifecycle.Provenance;
import io.crossmodal.trainer.config.JobConfig;
import io.crossmodal.trainer.lifecycle.Promoter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** {@code promote}, {@code rollback}, {@code gc}, {@code history}, {@code lineage}: the model lifecycle (docs/LIFECYCLE.md). */
final class LifecycleCommands {
    /** Exit code of a promote that the gate refused (the decision is recorded; nothing moved). */
    static final int EXIT_REFUSED = 3;

    private LifecycleCommands() {}

    private static Path registry(String[] args) {
        return Path.of(TrainerCli.option(args, "--registry", JobConfig.defaultRegistry()));
    }

    static int promote(String[] args) throws Exception {
        String model = TrainerCli.option(args, "--model");
        String candidate = TrainerCli.option(args, "--candidate", ModelLifecycle.CANDIDATE);
        String gateFile = TrainerCli.option(args, "--gate");
        GateConfig gate = GateConfig.read(Path.of(gateFile));
        String actor = Provenance.actor(TrainerCli.option(args, "--actor", null));
        DecisionRecord d = Promoter.promote(registry(args), model, candidate, gate, gateFile, actor);
        System.out.print(Promoter.render(d));
        System.out.println("  record: " + new ModelLifecycle(registry(args)).decisionFile(model, d.id()));
        return d.decision().equals(DecisionRecord.PROMOTED) ? 0 : EXIT_REFUSED;
    }

    static int rollback(String[] args) {
        String model = TrainerCli.option(args, "--model");
        String actor = Provenance.actor(TrainerCli.option(args, "--actor", null));
        ModelLifecycle lc = new ModelLifecycle(registry(args));
        DecisionRecord d = lc.rollback(model, actor, TrainerCli.option(args, "--reason", null));
        System.out.println(d.summary());
        System.out.println("  decision " + d.id() + ": " + lc.decisionFile(model, d.id()));
        return 0;
    }

    static int gc(String[] args) {
        String model = TrainerCli.option(args, "--model");
        int keep = Integer.parseInt(TrainerCli.option(args, "--keep-latest", "1"));
        boolean dry = TrainerCli.flag(args, "--dry-run");
        boolean prune = TrainerCli.flag(args, "--prune-rollback-targets");
        GcReport r = new ModelLifecycle(registry(args)).gc(model, keep, prune, dry);
        r.kept().forEach((v, why) -> System.out.printf("keep   %s/%d (%s)%n", model, v, String.join(", ", why)));
        for (int v : r.deleted()) {
            System.out.printf("%s %s/%d%n", dry ? "would delete" : "deleted", model, v);
        }
        for (String l : r.leftovers()) {
            System.out.printf("%s %s/%s (left by a crashed writer)%n", dry ? "would remove" : "removed", model, l);
        }
        System.out.printf("%s: %d kept, %d %s%n", model, r.kept().size(), r.deleted().size(), dry ? "to delete (dry run)" : "deleted");
        return 0;
    }

    static int history(String[] args) {
        String model = TrainerCli.option(args, "--model");
        ModelLifecycle lc = new ModelLifecycle(registry(args));
        Map<String, Integer> aliases = lc.registry().aliases(model);
        System.out.println("model " + model + "  aliases " + aliases);
        System.out.println("versions:");
        for (int v : lc.registry().listVersions(model)) {
            try {
                Lineage l = lc.lineage(model, v);
                System.out.printf(Locale.ROOT, "  %3d  %s  commit %s  by %s  split %s  %s%n", v, l.createdAt(), l.sourceCommit(),
                        l.registeredBy(), l.dataFingerprint().getOrDefault("split", "?"), metrics(l.metrics()));
            } catch (RuntimeException e) {
                System.out.printf("  %3d  unreadable: %s%n", v, e.getMessage());
            }
        }
        System.out.println("alias history:");
        for (AliasChange c : lc.aliasHistory(model)) {
            System.out.printf("  #%d %s %s: %s -> %d by %s%s%n", c.seq(), c.at(), c.alias(),
                    c.previousVersion() == null ? "none" : c.previousVersion(), c.version(), c.actor(),
                    c.decisionId() == null ? "" : " (" + c.action() + ", decision " + c.decisionId() + ")");
        }
        System.out.println("decisions:");
        for (DecisionRecord d : lc.decisions(model)) {
            System.out.printf("  %s  %s%n", d.id(), d.summary());
        }
        return 0;
    }

    static int lineage(String[] args) {
        String model = TrainerCli.option(args, "--model");
        ModelLifecycle lc = new ModelLifecycle(registry(args));
        int v = lc.registry().resolve(model, TrainerCli.option(args, "--version", "latest"));
        System.out.println(ModelLifecycle.toJson(lc.lineage(model, v)));
        return 0;
    }

    private static String metrics(Map<String, Object> m) {
        StringBuilder sb = new StringBuilder();
        m.forEach((k, val) -> {
            if (k.endsWith(".test.per") || k.endsWith(".test.wer")) {
                sb.append(String.format(Locale.ROOT, "%s %.4f  ", k, ((Number) val).doubleValue()));
            }
        });
        return sb.toString().trim();
    }
}
