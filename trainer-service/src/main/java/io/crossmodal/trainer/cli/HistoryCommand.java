package io.crossmodal.trainer.cli;

import io.crossmodal.lifecycle.AliasChange;
import io.crossmodal.lifecycle.DecisionRecord;
import io.crossmodal.lifecycle.Lineage;
import io.crossmodal.lifecycle.ModelLifecycle;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code history}: versions with their lineage, the alias history and the decisions of one model. */
@Command(name = "history", description = "Versions with lineage, alias history, decisions.")
final class HistoryCommand implements Callable<Integer> {
    @Mixin
    HelpOption help;

    @Mixin
    RegistryOption registry;

    @Option(names = "--model", required = true, paramLabel = "NAME", description = "Model name.")
    String model;

    @Override
    public Integer call() {
        ModelLifecycle lc = new ModelLifecycle(registry.path());
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
