package io.crossmodal.family.seq2seq.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalReportTest {
    @TempDir
    Path dir;

    private static EvalReport report() {
        List<WordScore> scores = Evaluator.scoreAll(
                Map.of("cat", List.of("K", "AH0", "T"), "a|b", List.of("EY1")),
                Map.of("cat", List.of(List.of("K", "AE1", "T")), "a|b", List.of(List.of("EY1"))));
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("beam", 5);
        config.put("lr", 0.001);
        config.put("note", null);
        return new EvalReport("g2p-small@3", "g2p", "test", Map.of("test", 2), ErrorRates.of(scores),
                config, 42L, "f".repeat(64), Map.of("decode", 1.25), Evaluator.errors(scores, 10));
    }

    @Test
    void jsonRoundTrips() throws Exception {
        EvalReport r = report();
        Path file = dir.resolve("reports/eval.json");
        r.writeJson(file);
        JsonNode json = new ObjectMapper().readTree(file.toFile());
        assertEquals("g2p-small@3", json.get("modelName").asText());
        assertEquals(0.25, json.get("metrics").get("per").asDouble(), 1e-12); // 1 error / (3 + 1)
        assertEquals(0.5, json.get("metrics").get("wer").asDouble(), 1e-12);
        assertEquals("cat", json.get("examples").get(0).get("word").asText());
        assertTrue(json.get("config").get("note").isNull());
        assertEquals(r, EvalReport.readJson(file));
        try (var files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList()); // no temp files left behind
        }
    }

    @Test
    void markdownIsAReadableTable() throws Exception {
        Path file = dir.resolve("eval.md");
        report().writeMarkdown(file);
        String md = Files.readString(file);
        assertTrue(md.startsWith("# Evaluation: g2p-small@3 (g2p, test)"), md);
        assertTrue(md.contains("| PER | 25.00 % |"), md);
        assertTrue(md.contains("| WER | 50.00 % |"), md);
        assertTrue(md.contains("| seed | 42 |"), md);
        assertTrue(md.contains("| decode | 1.250 |"), md);
        assertTrue(md.contains("| cat | K AH0 T | K AE1 T | 1 |"), md);
        assertTrue(md.contains("| beam | 5 |"), md);
    }

    @Test
    void pipesInCellsAreEscaped() {
        EvalReport r = new EvalReport("m|x", "g2p", "dev", null, new ErrorRates(0, 0, 1, 0, 1),
                null, 1, "h", null, List.of(new WordScore("a|b", List.of("A"), List.of("B"), 1)));
        String md = r.toMarkdown();
        assertTrue(md.contains("m\\|x"), md);
        assertTrue(md.contains("| a\\|b | A | B | 1 |"), md);
    }
}
