package io.crossmodal.trainer.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.lifecycle.DecisionRecord;
import io.crossmodal.lifecycle.ModelLifecycle;
import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.trainer.cli.CliRun;
import io.crossmodal.trainer.config.JobConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The lifecycle of a one-component family's models with the real CLI, shared by the PVAE and VQ-VAE tests. The
 * subclass trains, at orders 1 and 2, a good model (version 1) and a worse one (version 2) into {@link #registry};
 * this contract then has the gate promote the good one, refuse the worse one on the paired bootstrap (exit 3),
 * promote an identical retrain on a tie, roll back to the first and list it in {@code history} (order 3), and
 * refuses the family's config section in a job of another family (order 5).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public abstract class OneComponentLifecycleContract {
    protected Path dir;
    protected Path registry;
    protected Path gate;
    protected ModelLifecycle lc;

    /** The family's name (its config section and its bundles' component). */
    protected abstract String family();

    /** The registered model's name. */
    protected abstract String model();

    /** The job config of the good model, trained into run directory {@code run}. */
    protected abstract String goodConfig(String run);

    /** More the subclass checks of the refusal (e.g. which gate check failed). */
    protected void checkRefusal(DecisionRecord d) {}

    /** Sets the fields: work directory, the registry below it and the gate file. */
    protected void init(Path workDir, Path gateFile) {
        dir = workDir;
        registry = dir.resolve("registry");
        lc = new ModelLifecycle(registry);
        gate = gateFile;
    }

    protected static CliRun cli(String... args) {
        return CliRun.of(args);
    }

    protected CliRun promote(String candidate) {
        return cli("promote", "--registry", registry.toString(), "--model", model(), "--candidate", candidate,
                "--gate", gate.toString(), "--actor", family() + "-test");
    }

    protected int production() {
        return lc.alias(model(), ModelLifecycle.PRODUCTION).orElse(-1);
    }

    /** A metric of a bundle's manifest, required to be there. */
    protected static double metric(Bundle b, String name) {
        Object v = b.manifest().metrics().get(name);
        assertNotNull(v, name + " in " + b.manifest().metrics());
        return ((Number) v).doubleValue();
    }

    @Test
    @Order(3)
    void gatePromotesTheGoodRefusesTheWorseAndRollbackRestores() throws Exception {
        CliRun first = promote("1");
        assertEquals(0, first.exit(), first.out() + first.err());
        assertEquals(1, production());

        CliRun refused = promote("2");
        assertEquals(3, refused.exit(), refused.out() + refused.err());
        assertEquals(1, production());
        DecisionRecord d = lc.decisions(model()).get(1);
        assertEquals(DecisionRecord.REFUSED, d.decision());
        assertEquals(family(), d.inputs().get("family"));
        assertTrue(d.bootstrap().get(family()).upper() < 0, "worse on the paired bootstrap: " + d.bootstrap());
        checkRefusal(d);

        // the good job again (same data, seed, one thread): the same model, promoted on a tie
        Path again = dir.resolve("again.json");
        Files.writeString(again, goodConfig("again"));
        CliRun trained = cli("train", "--config", again.toString());
        assertEquals(0, trained.exit(), trained.out() + trained.err());
        CliRun equal = promote("3");
        assertEquals(0, equal.exit(), equal.out() + equal.err());
        assertEquals(3, production());

        CliRun rb = cli("rollback", "--registry", registry.toString(), "--model", model(), "--reason", "test");
        assertEquals(0, rb.exit(), rb.err());
        assertEquals(1, production());
        CliRun history = cli("history", "--registry", registry.toString(), "--model", model());
        assertEquals(0, history.exit(), history.err());
        assertTrue(history.out().contains("rollback") || history.out().contains("RolledBack")
                || history.out().contains("rolled"), history.out());
    }

    @Test
    @Order(5)
    void theFamilysSectionOnAnotherFamilyIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JobConfig.parse("{\"name\": \"x\", \"family\": \"seq2seq\", \"" + family() + "\": {\"epochs\": 2}}"));
        assertTrue(e.getMessage().contains(family()), e.getMessage());
    }
}
