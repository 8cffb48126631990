package io.crossmodal.trainer.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.family.seq2seq.search.SearchOptions;
import io.crossmodal.family.seq2seq.serving.Seq2SeqPredictor;
import io.crossmodal.family.seq2seq.vocab.Vocabulary;
import io.crossmodal.runtime.bundle.ModelRegistry;
import io.crossmodal.runtime.onnx.SessionFactory;
import io.crossmodal.trainer.config.JobConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Distillation end to end on a tiny lexicon: a teacher is trained and registered, a student job labels
 * its paired words and a word list's new words with the teacher, and trains on those labels.
 */
class DistillationTest {

    private static String config(String name, Path lex, Path dir, int splitSeed, String distill) {
        return """
                {"name": "%s", "data": {"source": "%s"},
                 "split": {"paired": 120, "dev": 30, "test": 30, "seed": %d},
                 "model": {"embed": 8, "encHidden": 12, "decHidden": 16, "maxOutputLength": 12},
                 "train": {"batchSize": 16, "learningRate": 0.01, "epochs": 3, "devWords": 30, "beamWidth": 2%s},
                 "components": ["g2p"], "seed": 3, "runDir": "%s", "registryDir": "%s"}
                """.formatted(name, lex, splitSeed, distill, dir.resolve("run-" + name), dir.resolve("registry"));
    }

    @Test
    void theStudentLearnsTheTeachersAnswersForPairedAndNewWords(@TempDir Path dir) throws Exception {
        Path lex = NoisyChannelJobTest.lexicon(dir, 200);
        TrainingRun.run(JobConfig.parse(config("teacher", lex, dir, 1, "")), e -> { }, () -> false);
        String inLexicon = Files.readAllLines(lex).get(1).split("\\s+")[0].toLowerCase(Locale.ROOT);
        Path words = dir.resolve("words.txt");
        // new words (letters the model reads, no lexicon entry), a lexicon word, an unreadable one, a blank line
        Files.write(words, List.of("Bodomekasot", "tastemo", inLexicon, "qxz!", "", "DOSAKE"));

        String distill = ", \"distill\": {\"teachers\": [\"teacher/1\"], \"beamWidth\": 3, \"words\": \"%s\"}".formatted(words);
        JobConfig student = JobConfig.parse(config("student", lex, dir, 1, distill));
        TrainingRun.Outcome out = TrainingRun.run(student, e -> { }, () -> false);
        assertEquals("student", out.bundle().model());

        Map<String, String> labels = new HashMap<>();
        Map<String, String> origins = new HashMap<>();
        for (String line : Files.readAllLines(out.runDir().resolve(Distillation.FILE))) {
            String[] f = line.split("\t");
            labels.put(f[0], f[1]);
            origins.put(f[0], f[2]);
        }
        assertEquals("word-list", origins.get("bodomekasot"));
        assertEquals("word-list", origins.get("tastemo"));
        assertEquals("word-list", origins.get("dosake"));
        assertEquals("paired", origins.get(labels.keySet().stream().filter(w -> origins.get(w).equals("paired")).findFirst()
                .orElseThrow()));
        assertEquals(120 + 3, labels.size(), "every paired word once and the three new words: " + origins);
        assertFalse(labels.containsKey("qxz!"));
        assertTrue(!labels.containsKey(inLexicon) || origins.get(inLexicon).equals("paired"), "a lexicon word is never a listed word");

        // the labels are the teacher's own beam answers, not the references
        try (Seq2SeqPredictor teacher = Seq2SeqPredictor.create(new ModelRegistry(dir.resolve("registry")).load("teacher", "1"),
                "g2p", SessionFactory.cpu())) {
            List<String> ws = new ArrayList<>(labels.keySet());
            var answers = teacher.transduce(ws.stream().map(Vocabulary::graphemes).toList(),
                    SearchOptions.beam(3, 1).withMaxLength(12));
            for (int i = 0; i < ws.size(); i++) {
                assertEquals(String.join(" ", answers.get(i).get(0).symbols()), labels.get(ws.get(i)), ws.get(i));
            }
        }
    }

    @Test
    void anUnreadableWordListIsRefusedByNameAndLeavesNoLabelFile(@TempDir Path dir) throws Exception {
        Path lex = NoisyChannelJobTest.lexicon(dir, 200);
        TrainingRun.run(JobConfig.parse(config("teacher", lex, dir, 1, "")), e -> { }, () -> false);
        String distill = ", \"distill\": {\"teachers\": [\"teacher/1\"], \"words\": \"%s\"}".formatted(dir.resolve("none.txt"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainingRun.run(JobConfig.parse(config("student", lex, dir, 1, distill)), ev -> { }, () -> false));
        assertTrue(e.getMessage().contains("train.distill.words") && e.getMessage().contains("none.txt"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("run-student").resolve(Distillation.FILE)));
        assertFalse(Files.exists(dir.resolve("run-student").resolve(Distillation.FILE + ".tmp")));
    }

    @Test
    void aTeacherOfAnotherSplitIsRefused(@TempDir Path dir) throws Exception {
        Path lex = NoisyChannelJobTest.lexicon(dir, 200);
        TrainingRun.run(JobConfig.parse(config("teacher", lex, dir, 2, "")), e -> { }, () -> false);
        String distill = ", \"distill\": {\"teachers\": [\"teacher/1\"]}";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainingRun.run(JobConfig.parse(config("student", lex, dir, 1, distill)), ev -> { }, () -> false));
        assertTrue(e.getMessage().contains("another split"), e.getMessage());
    }
}
