package io.crossmodal.trainer.job;

import io.crossmodal.datasets.cmudict.Lexicon;
import io.crossmodal.datasets.cmudict.LexiconEntry;
import io.crossmodal.datasets.split.DataSplit;
import io.crossmodal.datasets.split.SplitName;
import io.crossmodal.family.seq2seq.vocab.Vocabulary;
import io.crossmodal.trainer.train.Example;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The data of one seq2seq job in model terms: vocabularies over the lexicon's symbol inventory
 * (an alphabet is not a label leak; this keeps every split encodable) and id-sequence examples.
 */
public final class Seq2SeqData {
    public final DataSplit split;
    public final Vocabulary graphemes;
    public final Vocabulary phonemes;
    /** Pronunciation (space-joined) -> every spelling the whole lexicon has for it: P2G references. */
    private final Map<String, List<List<String>>> spellingsByPronunciation = new LinkedHashMap<>();

    public Seq2SeqData(Lexicon lexicon, DataSplit split) {
        this.split = split;
        List<List<String>> spellings = new ArrayList<>();
        List<List<String>> prons = new ArrayList<>();
        for (LexiconEntry e : lexicon.entries()) {
            List<String> g = Vocabulary.graphemes(e.word());
            spellings.add(g);
            prons.add(e.phonemes());
            List<List<String>> refs = spellingsByPronunciation.computeIfAbsent(String.join(" ", e.phonemes()), k -> new ArrayList<>());
            if (!refs.contains(g)) {
                refs.add(g);
            }
        }
        this.graphemes = Vocabulary.fromSequences(spellings);
        this.phonemes = Vocabulary.fromSequences(prons);
    }

    /** G2P pairs (spelling -> pronunciation), every pronunciation of every word in the split. */
    public List<Example> g2p(SplitName name) {
        List<Example> out = new ArrayList<>();
        split.pronunciations(name).forEach((word, ps) -> {
            long[] src = graphemes.encode(Vocabulary.graphemes(word));
            for (List<String> p : ps) {
                out.add(new Example(src, phonemes.encode(p)));
            }
        });
        return out;
    }

    /** P2G pairs: the reverse direction of {@link #g2p}. */
    public List<Example> p2g(SplitName name) {
        return g2p(name).stream().map(e -> new Example(e.tgt(), e.src())).toList();
    }

    /** Prior examples: spellings only (src unused). */
    public List<Example> spellings(SplitName... names) {
        List<Example> out = new ArrayList<>();
        for (SplitName n : names) {
            for (String w : split.words(n)) {
                out.add(new Example(new long[0], graphemes.encode(Vocabulary.graphemes(w))));
            }
        }
        return out;
    }

    /** Every pronunciation of every word of a split, as phoneme ids (the spellings are not looked at). */
    public List<long[]> phonemeStrings(SplitName name) {
        List<long[]> out = new ArrayList<>();
        split.pronunciations(name).values().forEach(ps -> ps.forEach(p -> out.add(phonemes.encode(p))));
        return out;
    }

    /** Every spelling of a split, as grapheme ids (the pronunciations are not looked at). */
    public List<long[]> spellingIds(SplitName name) {
        return split.words(name).stream().map(w -> graphemes.encode(Vocabulary.graphemes(w))).toList();
    }

    /** Ux: the unpaired phoneme strings (every pronunciation of the words whose spelling is withheld). */
    public List<long[]> unpairedPhonemes() {
        return phonemeStrings(SplitName.UNPAIRED_PHONEMES);
    }

    /** Uy: the unpaired spellings (words whose pronunciation is withheld). */
    public List<long[]> unpairedSpellings() {
        return spellingIds(SplitName.UNPAIRED_GRAPHEMES);
    }

    /** G2P references of a split: word -> its pronunciations. */
    public Map<String, List<List<String>>> g2pReferences(SplitName name, int limit) {
        Map<String, List<List<String>>> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<List<String>>> e : split.pronunciations(name).entrySet()) {
            if (limit > 0 && out.size() >= limit) {
                break;
            }
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    /**
     * P2G references of a split, keyed by pronunciation: each word's first pronunciation, with
     * every spelling of it in the lexicon as correct (homophones are not errors).
     */
    public Map<String, List<List<String>>> p2gReferences(SplitName name, int limit) {
        Map<String, List<List<String>>> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<List<String>>> e : split.pronunciations(name).entrySet()) {
            if (limit > 0 && out.size() >= limit) {
                break;
            }
            String key = String.join(" ", e.getValue().get(0));
            out.put(key, spellingsByPronunciation.get(key));
        }
        return out;
    }

    /** Splits a key of {@link #p2gReferences} back into phoneme symbols. */
    public static List<String> symbols(String key) {
        return List.of(key.split(" "));
    }
}
