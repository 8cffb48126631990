package io.crossmodal.trainer.family.pvae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.trainer.cli.TrainerCli;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Job configs: defaults, clear errors, relative speech directories, and the CLI's dispatch to the PVAE commands. */
class PvaeConfigTest {

    @TempDir
    Path tmp;

    @Test
    void defaultsAndRelativeSpeechDir() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("configs"));
        Files.writeString(dir.resolve("job.json"), "{\"speechDir\": \"../data/fsdd\", \"contrast\": {\"on\": false, "
                + "\"weight\": 1, \"margin\": 0.5, \"gamma\": 2}}");
        PvaeConfig c = PvaeConfig.read(dir.resolve("job.json"));
        assertEquals("pvae", c.variant());
        assertEquals(tmp.resolve("data/fsdd").toString(), c.speechDir(), "relative to the config file");
        assertTrue(c.elbo().on() && c.coherence().on() && !c.contrast().on() && c.unimodal().on());
        assertEquals(0, c.contrast().effective());
    }

    @Test
    void errorsNameTheProblem() throws Exception {
        Path f = tmp.resolve("bad.json");
        Files.writeString(f, "{\"variant\": \"vq-vae\"}");
        var e = assertThrows(IllegalArgumentException.class, () -> PvaeConfig.read(f));
        assertTrue(e.getMessage().contains("variant must be one of"), e.getMessage());
        Files.writeString(f, "{\"epohcs\": 3}");
        e = assertThrows(IllegalArgumentException.class, () -> PvaeConfig.read(f));
        assertTrue(e.getMessage().contains("epohcs"), e.getMessage());
        Files.writeString(f, "{\"elbo\": {\"on\": true, \"weight\": -1}}");
        e = assertThrows(IllegalArgumentException.class, () -> PvaeConfig.read(f));
        assertTrue(e.getMessage().contains("weight"), e.getMessage());
    }

    @Test
    void cliDispatchesAndFailsCleanlyOnABadConfig() throws Exception {
        Path f = tmp.resolve("bad.json");
        Files.writeString(f, "{\"variant\": \"nope\"}");
        assertEquals(2, TrainerCli.run(new String[] {"pvae-train", "--config", f.toString()}));
        assertEquals(2, TrainerCli.run(new String[] {"pvae-study", "--config", tmp.resolve("missing.json").toString()}));
    }
}
