package io.crossmodal.trainer.study;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.runtime.bundle.ModelRegistry;
import io.crossmodal.trainer.job.NoisyChannelJobTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tiny study end to end: trainer subprocesses, results table, plots, best aliases, resume. */
class StudyRunnerTest {

    @Test
    void tinyStudyRunsReportsAndResumes(@TempDir Path dir) throws Exception {
        Path lex = NoisyChannelJobTest.lexicon(dir, 400);
        Path f = dir.resolve("study.json");
        Files.writeString(f, """
                {"name": "tiny", "outDir": "%s",
                 "base": {"data": {"source": "%s"},
                          "split": {"unpairedGraphemes": 100, "unpairedPhonemes": 100, "dev": 20, "test": 25},
                          "model": {"embed": 8, "encHidden": 8, "decHidden": 12, "priorEmbed": 8, "priorHidden": 12,
                                    "maxOutputLength": 12},
                          "train": {"batchSize": 16, "learningRate": 0.01, "epochs": 2, "devWords": 20, "beamWidth": 2, "threads": 1},
                          "semi": {"warmupEpochs": 2, "epochs": 1, "stepsPerEpoch": 3, "samples": 2, "elboWords": 10}},
                 "pairedSizes": [20], "seeds": [1],
                 "systems": {"supervised": {"prior": 0, "wake": 0, "sleep": 0}, "noisy-channel": {}},
                 "zeroPaired": ["location"]}
                """.formatted(dir.resolve("out"), lex));
        StudyConfig cfg = StudyConfig.read(f);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<RunResult> results = new StudyRunner(cfg, new PrintStream(log, true)).run(null, false);
        String printed = log.toString();
        assertEquals(3, results.size(), printed);
        // PER can exceed 1 (insertions) on a model this small; the values must be real measurements
        results.forEach(r -> r.test().values().forEach(v -> assertTrue(v >= 0 && Double.isFinite(v), r.toString())));
        Path res = Path.of(cfg.resultsDir());
        String md = Files.readString(res.resolve("results.md"));
        assertTrue(md.contains("| 20 | noisy-channel | [1] |"), md);
        assertTrue(md.contains("0 (location)"), md);
        for (String png : List.of("per_vs_paired.png", "wer_vs_paired.png", "curves_p20.png", "curves_p0-location.png")) {
            byte[] head = Arrays.copyOf(Files.readAllBytes(res.resolve(png)), 4);
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, head, png);
        }
        assertTrue(Files.readString(res.resolve("results.json")).contains("\"beyondSpread\""));
        // the best run of each group is an ordinary bundle under the 'best' alias of the group's model
        ModelRegistry registry = new ModelRegistry(Path.of(cfg.outDir(), "registry"));
        RunResult best = StudyRunner.bestPerGroup(results).get("p20");
        assertEquals(best.version(), registry.resolve("tiny-p20", "best"));
        assertEquals(2, registry.listVersions("tiny-p20").size());

        // a second invocation finds everything finished and runs nothing
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        new StudyRunner(cfg, new PrintStream(again, true)).run(null, false);
        assertTrue(again.toString().contains("3 finished, 0 to run now"), again.toString());
    }
}
