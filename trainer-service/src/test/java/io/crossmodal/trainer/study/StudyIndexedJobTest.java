package io.crossmodal.trainer.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.trainer.cli.TrainerCli;
import io.crossmodal.trainer.job.NoisyChannelJobTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The study as a Kubernetes Indexed Job: the committed k8s/overlays/study files are what the command renders for
 * configs/study.json (the k8s module validates them strictly), one pod's index runs exactly that run, and
 * {@code --report-only} gathers the runs the pods left on the shared volume.
 */
class StudyIndexedJobTest {

    /** trainer-service/ (Surefire's working directory) -> the repository root. */
    private static final Path REPO = Path.of("").toAbsolutePath().getParent();

    @Test
    void theCommittedOverlayIsTheRenderOfTheRepositoryStudy(@TempDir Path dir) throws Exception {
        Path study = REPO.resolve("configs/study.json");
        assertEquals(0, TrainerCli.run(new String[] {"study", "--config", study.toString(), "--k8s-job", dir.toString()}));
        Path committed = REPO.resolve("k8s/overlays/study");
        for (String f : List.of(StudyJobManifest.JOB_FILE, StudyJobManifest.CONFIG_FILE)) {
            assertEquals(Files.readString(committed.resolve(f)), Files.readString(dir.resolve(f)),
                    f + " differs from a fresh render: re-run scripts/crossmodal study --config configs/study.json --k8s-job k8s/overlays/study");
        }
        StudyConfig cluster = StudyConfig.read(dir.resolve(StudyJobManifest.CONFIG_FILE));
        assertEquals("/study/nc-study", cluster.outDir());
        String yaml = Files.readString(dir.resolve(StudyJobManifest.JOB_FILE));
        assertTrue(yaml.contains("completionMode: Indexed\n  completions: " + StudyConfig.read(study).plan().size() + "\n"), yaml);
        assertTrue(yaml.contains("\"--indexed-job\"") && yaml.contains("\"--report-only\""), yaml);
    }

    @Test
    void eachIndexRunsItsOwnRunAndTheReportGathersThem(@TempDir Path dir) throws Exception {
        Path lex = NoisyChannelJobTest.lexicon(dir, 300);
        Path f = dir.resolve("study.json");
        Files.writeString(f, """
                {"name": "tiny", "outDir": "%s",
                 "base": {"data": {"source": "%s"},
                          "split": {"unpairedGraphemes": 50, "unpairedPhonemes": 50, "dev": 20, "test": 25},
                          "model": {"embed": 8, "encHidden": 8, "decHidden": 12, "priorEmbed": 8, "priorHidden": 12,
                                    "maxOutputLength": 12},
                          "train": {"batchSize": 16, "learningRate": 0.01, "epochs": 1, "devWords": 20, "beamWidth": 2, "threads": 1},
                          "semi": {"warmupEpochs": 1, "priorWarmupEpochs": 1, "epochs": 1, "stepsPerEpoch": 2, "samples": 2,
                                   "elboWords": 5}},
                 "pairedSizes": [20, 30], "seeds": [1],
                 "systems": {"supervised": {"prior": 0, "wake": 0, "sleep": 0}},
                 "zeroPaired": []}
                """.formatted(dir.resolve("out"), lex));
        StudyConfig cfg = StudyConfig.read(f);
        assertEquals(2, cfg.plan().size());
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        StudyRunner runner = new StudyRunner(cfg, new PrintStream(log, true));
        // pod 1 of 2: only the plan's second run, no report yet
        RunResult second = runner.runIndex(1);
        assertEquals(cfg.plan().get(1).id(), second.id());
        assertEquals(List.of(cfg.plan().get(1).id()), runner.collect(cfg.plan()).stream().map(RunResult::id).toList());
        assertTrue(Files.notExists(Path.of(cfg.resultsDir(), "results.md")));
        // a retried pod finds its run finished
        runner.runIndex(1);
        assertTrue(log.toString().contains("already finished"), log.toString());
        assertThrows(IllegalArgumentException.class, () -> runner.runIndex(2));
        runner.runIndex(0);
        // --report-only gathers both
        assertEquals(0, TrainerCli.run(new String[] {"study", "--config", f.toString(), "--report-only"}));
        String md = Files.readString(Path.of(cfg.resultsDir(), "results.md"));
        assertTrue(md.contains("| 20 |") && md.contains("| 30 |"), md);
    }
}
