package io.crossmodal.trainer.job;

import io.crossmodal.datasets.cmudict.Lexicon;
import io.crossmodal.datasets.cmudict.LexiconEntry;
import io.crossmodal.datasets.split.SplitName;
import io.crossmodal.family.seq2seq.search.SearchOptions;
import io.crossmodal.family.seq2seq.serving.ScoredSequence;
import io.crossmodal.family.seq2seq.serving.Seq2SeqPredictor;
import io.crossmodal.family.seq2seq.vocab.Vocabulary;
import io.crossmodal.runtime.bundle.ModelRegistry;
import io.crossmodal.trainer.config.JobConfig;
import io.crossmodal.trainer.train.Example;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * Sequence-level distillation of an ensemble into one G2P model ({@link JobConfig.Distill}): the
 * teachers' ensemble labels the paired words and, optionally, the words of a word list that the lexicon
 * does not have; the student is then trained on those labels like on references. The labels are written
 * to {@code distill-g2p.tsv} in the run directory (word, tab, pronunciation, tab, where it came from).
 *
 * <p>Nothing of the dev or test split reaches the student: the teachers were trained on this split's
 * paired words (checked by the split fingerprint), and a listed word is used only if no lexicon entry,
 * in any split, has its spelling.
 */
final class Distillation {
    private static final Logger LOG = Logger.getLogger(Distillation.class);
    private static final int CHUNK = 128;
    static final String FILE = "distill-g2p.tsv";

    private Distillation() {}

    /** The G2P training examples of a distilled job. */
    static List<Example> g2pExamples(JobConfig cfg, Seq2SeqData data, Lexicon lexicon, Path runDir, BooleanSupplier cancelled)
            throws IOException {
        JobConfig.Distill d = cfg.train().distill();
        if (d.words() != null && !Files.isReadable(Path.of(d.words()))) {
            throw new IllegalArgumentException("train.distill.words: cannot read the word list " + d.words());
        }
        try (Seq2SeqPredictor teacher = RegisteredPredictors.open(new ModelRegistry(Path.of(cfg.registryDir())), d.teachers(),
                "g2p", data.split.fingerprint(), "train.distill.teachers")) {
            if (!teacher.targetVocabulary().subList(Vocabulary.RESERVED.size(), teacher.targetVocabulary().size())
                    .stream().allMatch(data.phonemes::contains)) {
                throw new IllegalArgumentException("train.distill.teachers answer with phonemes this job does not have");
            }
            List<Example> out = new ArrayList<>();
            List<String> paired = new ArrayList<>(data.split.pronunciations(SplitName.PAIRED).keySet());
            if (!d.pairedTargets().equals("teacher")) {
                out.addAll(data.g2p(SplitName.PAIRED));
            }
            List<String> toLabel = new ArrayList<>();
            List<String> origin = new ArrayList<>();
            if (!d.pairedTargets().equals("reference")) {
                toLabel.addAll(paired);
                paired.forEach(w -> origin.add("paired"));
            }
            List<String> listed = listedWords(d, lexicon, data, teacher.maxInputLength());
            toLabel.addAll(listed);
            listed.forEach(w -> origin.add("word-list"));
            LOG.infof("distillation: %d teachers (%s), beam %d: labelling %d paired words and %d word-list words",
                    d.teachers().size(), String.join(", ", d.teachers()), d.beamWidth(),
                    d.pairedTargets().equals("reference") ? 0 : paired.size(), listed.size());
            SearchOptions opts = SearchOptions.beam(d.beamWidth(), 1).withMaxLength(cfg.model().maxOutputLength());
            Files.createDirectories(runDir);
            Path tmp = runDir.resolve(FILE + ".tmp");
            long start = System.nanoTime();
            int unanswered = 0;
            try {
                try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                    for (int from = 0; from < toLabel.size(); from += CHUNK) {
                        if (cancelled.getAsBoolean()) {
                            throw new java.util.concurrent.CancellationException("cancelled while labelling");
                        }
                        List<String> chunk = toLabel.subList(from, Math.min(toLabel.size(), from + CHUNK));
                        List<List<ScoredSequence>> answers = teacher.transduce(chunk.stream().map(Vocabulary::graphemes).toList(), opts);
                        for (int i = 0; i < chunk.size(); i++) {
                            List<ScoredSequence> a = answers.get(i);
                            if (a.isEmpty() || a.get(0).symbols().isEmpty()) {
                                unanswered++;
                                continue;
                            }
                            List<String> pron = a.get(0).symbols();
                            out.add(new Example(data.graphemes.encode(Vocabulary.graphemes(chunk.get(i))), data.phonemes.encode(pron)));
                            w.write(chunk.get(i) + "\t" + String.join(" ", pron) + "\t" + origin.get(from + i) + "\n");
                        }
                        int done = Math.min(toLabel.size(), from + CHUNK);
                        if (done % (CHUNK * 40) == 0 || done == toLabel.size()) {
                            double s = (System.nanoTime() - start) / 1e9;
                            LOG.infof("distillation: %d / %d words labelled, %.0f s, eta %.0f s", done, toLabel.size(), s,
                                    s / done * (toLabel.size() - done));
                        }
                    }
                }
                Files.move(tmp, runDir.resolve(FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp); // a failed or cancelled labelling leaves no partial file
            }
            LOG.infof("distillation: %d training examples (%d words without an answer left out), labels in %s", out.size(),
                    unanswered, runDir.resolve(FILE));
            return out;
        }
    }

    /** The word list's words the student may learn from: lower-cased, readable, in no split of the lexicon. */
    static List<String> listedWords(JobConfig.Distill d, Lexicon lexicon, Seq2SeqData data, int maxInputLength)
            throws IOException {
        if (d.words() == null) {
            return List.of();
        }
        Set<String> known = new HashSet<>();
        for (LexiconEntry e : lexicon.entries()) {
            known.add(e.word().toLowerCase(Locale.ROOT));
        }
        TreeSet<String> keep = new TreeSet<>();
        for (String line : Files.readAllLines(Path.of(d.words()), StandardCharsets.UTF_8)) {
            String w = line.strip().toLowerCase(Locale.ROOT);
            if (w.isEmpty() || known.contains(w) || w.codePointCount(0, w.length()) > maxInputLength) {
                continue;
            }
            if (Vocabulary.graphemes(w).stream().allMatch(data.graphemes::contains)) {
                keep.add(w);
            }
        }
        List<String> out = new ArrayList<>(keep);
        return d.maxWords() > 0 && out.size() > d.maxWords() ? out.subList(0, d.maxWords()) : out;
    }
}
