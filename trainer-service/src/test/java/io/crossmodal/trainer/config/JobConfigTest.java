package io.crossmodal.trainer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.trainer.cli.TrainerCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobConfigTest {

    @Test
    void defaultsFillAnEmptyConfig() {
        JobConfig c = JobConfig.parse("{}");
        assertEquals("g2p-cmudict", c.name());
        assertEquals("cmudict", c.data().source());
        assertEquals(List.of("g2p", "p2g", "prior"), c.components());
        assertEquals(-1, c.split().paired());
        assertEquals(64, c.train().batchSize());
        assertEquals(c, JobConfig.parse(c.toJson()), "round trip");
    }

    @Test
    void badConfigsGetMessagesNamingTheField() {
        assertMessage("{\"trian\": {}}", "trian");
        assertMessage("{\"train\": {\"learningRate\": 3}}", "learningRate");
        assertMessage("{\"train\": {\"batchSize\": 0}}", "batchSize");
        assertMessage("{\"components\": [\"g2p\", \"tts\"]}", "tts");
        assertMessage("{\"model\": {\"decHidden\": -4}}", "decHidden");
        assertMessage("{\"split\": {\"paired\": -1, \"test\": -1}}", "-1");
        assertMessage("{\"name\": \"../etc\"}", "name");
        assertMessage("{\"family\": \"gan\"}", "gan");
        assertMessage("{\"train\": {\"epochs\": \"many\"}}", "epochs");
        assertMessage("{not json", "invalid config");
        assertMessage("{\"train\": {\"labelSmoothing\": 0.5}}", "labelSmoothing");
        assertMessage("{\"train\": {\"dropout\": -0.1}}", "dropout");
        assertMessage("{\"components\": [\"g2p\"], \"train\": {\"ensemble\": {\"members\": [\"a/1\"]}}}", "at least two");
        assertMessage("{\"components\": [\"g2p\"], \"train\": {\"ensemble\": {\"members\": [\"a/1\", \"a/1\"]}}}", "twice");
        assertMessage("{\"train\": {\"ensemble\": {\"members\": [\"a/1\", \"b/1\"]}}}", "prior");
        assertMessage("{\"components\": [\"g2p\"], \"train\": {\"ensemble\": {\"members\": [\"a/1\", \"b/1\"]},"
                + " \"distill\": {\"teachers\": [\"a/1\"]}}}", "distil");
    }

    private static void assertMessage(String json, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JobConfig.parse(json));
        assertTrue(e.getMessage().contains(expected), () -> "message '" + e.getMessage() + "' should mention " + expected);
    }

    @Test
    void cliRejectsBadConfigWithExitCode2AndAClearMessage(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("bad.json");
        Files.writeString(cfg, "{\"train\": {\"patience\": 0}}");
        PrintStream err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true));
        try {
            assertEquals(2, TrainerCli.run(new String[] {"train", "--config", cfg.toString()}));
            assertEquals(2, TrainerCli.run(new String[] {"train", "--config", dir.resolve("missing.json").toString()}));
            assertEquals(2, TrainerCli.run(new String[] {"fly"}));
            assertEquals(2, TrainerCli.run(new String[] {"train"}));
            assertEquals(1, TrainerCli.run(new String[] {"evaluate", "--model", "nope", "--registry", dir.toString()}));
        } finally {
            System.setErr(err);
        }
        String out = buf.toString();
        assertTrue(out.contains("patience"), out);
        assertTrue(out.contains("missing.json"), out);
        assertTrue(out.contains("unknown command 'fly'"), out);
        assertTrue(out.contains("Missing required option: '--config"), out);
        assertTrue(out.contains("model 'nope' not found"), out);
    }
}
