package io.crossmodal.lifecycle;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A separate process for {@link MultiProcessLifecycleTest}: registers {@code count} versions of
 * model {@code m} and tries to promote each one against the production it last saw, printing
 * {@code promoted <v>} or {@code conflict <v>}.
 */
public final class RegistryWorker {
    private RegistryWorker() {}

    public static void main(String[] args) {
        Path root = Path.of(args[0]);
        String id = args[1];
        int count = Integer.parseInt(args[2]);
        ModelLifecycle lc = new ModelLifecycle(root);
        for (int i = 0; i < count; i++) {
            int v = lc.register("m", ModelLifecycleTest.draft(0.1), ModelLifecycleTest.files(id + "-" + i), "worker-" + id, "c")
                    .version();
            Integer production = lc.alias("m", ModelLifecycle.PRODUCTION).orElse(null);
            Instant now = Instant.now();
            DecisionRecord d = new DecisionRecord(DecisionRecord.SCHEMA, DecisionRecord.newId(now, DecisionRecord.PROMOTE, v),
                    DecisionRecord.PROMOTE, DecisionRecord.PROMOTED, "m", ModelLifecycle.PRODUCTION, v, production,
                    "worker-" + id, now.toString(), Map.of(), Map.of(), null, null, List.of(), "worker promotion");
            try {
                lc.commitPromotion(d);
                System.out.println("promoted " + v);
            } catch (LifecycleConflictException e) {
                System.out.println("conflict " + v);
            }
        }
    }
}
