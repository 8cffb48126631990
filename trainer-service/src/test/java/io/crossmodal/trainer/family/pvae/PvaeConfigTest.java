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

    @Test
    void aJobConfigCarriesThePvaeSectionAndTheJobsSeedAndRunDirWin() throws Exception {
        Path f = tmp.resolve("job.json");
        Files.writeString(f, "{\"name\": \"digits\", \"family\": \"pvae\", \"seed\": 7, \"runDir\": \"runs/x\","
                + " \"pvae\": {\"hidden\": 16, \"epochs\": 3, \"seed\": 99, \"runDir\": \"elsewhere\"}}");
        io.crossmodal.trainer.config.JobConfig job = io.crossmodal.trainer.config.JobConfig.read(f);
        assertEquals(java.util.List.of("pvae"), job.components());
        assertEquals(16, job.pvae().hidden());
        PvaeConfig effective = PvaeTrainingFamily.settings(job);
        assertEquals(7, effective.seed());
        assertEquals("runs/x", effective.runDir());
        assertEquals(3, effective.epochs());
        // what the lineage records parses back to the same job
        assertEquals(job, io.crossmodal.trainer.config.JobConfig.parseRecorded(job.toJson()));
        // no section: the PVAE defaults
        io.crossmodal.trainer.config.JobConfig bare = io.crossmodal.trainer.config.JobConfig.parse(
                "{\"name\": \"d\", \"family\": \"pvae\"}");
        assertEquals(256, PvaeTrainingFamily.settings(bare).hidden());
        var e = assertThrows(IllegalArgumentException.class, () -> io.crossmodal.trainer.config.JobConfig.parse(
                "{\"name\": \"d\", \"family\": \"pvae\", \"pvae\": {\"hiden\": 3}}"));
        assertTrue(e.getMessage().contains("hiden"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> io.crossmodal.trainer.config.JobConfig.parse(
                "{\"name\": \"d\", \"family\": \"pvae\", \"components\": [\"g2p\"]}"));
        assertTrue(e.getMessage().contains("unknown component 'g2p'"), e.getMessage());
    }
}
