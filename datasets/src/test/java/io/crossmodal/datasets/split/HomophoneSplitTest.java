package io.crossmodal.datasets.split;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.datasets.cmudict.Lexicon;
import io.crossmodal.datasets.cmudict.LexiconEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HomophoneSplitTest {

    /**
     * 400 singletons, 200 homophone pairs (same pronunciation up to stress), 50 spelling variants
     * ({@code xN's} / {@code xN.s}) and one chain a-b-c linked through two different pronunciations.
     */
    static Lexicon lexicon() {
        List<LexiconEntry> e = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            e.add(new LexiconEntry("s" + i, List.of("S", "IH1", "N" + (i % 10), "K" + (i / 10)), 0));
        }
        for (int i = 0; i < 200; i++) {
            e.add(new LexiconEntry("h" + i + "a", List.of("HH", "OW1", "M" + i), 0));
            e.add(new LexiconEntry("h" + i + "b", List.of("HH", "OW0", "M" + i), 0));
        }
        for (int i = 0; i < 50; i++) {
            e.add(new LexiconEntry("x" + i + "'s", List.of("EH1", "K", "S" + i), 0));
            e.add(new LexiconEntry("x" + i + ".s", List.of("EH1", "K", "S" + i, "Z"), 0));
        }
        e.add(new LexiconEntry("chaina", List.of("CH", "A"), 0));
        e.add(new LexiconEntry("chainb", List.of("CH", "A"), 0));
        e.add(new LexiconEntry("chainb", List.of("CH", "B"), 1));
        e.add(new LexiconEntry("chainc", List.of("CH", "B"), 0));
        return new Lexicon(e, List.of());
    }

    private static SplitConfig config(String grouping) {
        return new SplitConfig(3, 150, 250, 240, 100, 150, true, grouping);
    }

    @Test
    void groupsAreLinkedByPronunciationAfterStrippingAndByLettersOnlySpelling() {
        Map<String, List<List<String>>> byWord = new HashMap<>();
        byWord.put("pair", List.of(List.of("P", "EH", "R")));
        byWord.put("pear", List.of(List.of("P", "EH", "R")));
        byWord.put("a's", List.of(List.of("EY", "Z")));
        byWord.put("as", List.of(List.of("AE", "Z")));
        byWord.put("chaina", List.of(List.of("A")));
        byWord.put("chainb", List.of(List.of("A"), List.of("B")));
        byWord.put("chainc", List.of(List.of("B")));
        byWord.put("solo", List.of(List.of("S")));
        assertEquals(List.of(List.of("a's", "as"), List.of("chaina", "chainb", "chainc"), List.of("pair", "pear"),
                List.of("solo")), WordGroups.of(byWord));
    }

    @Test
    void homophoneAwareSplitHasNoLeaksAndExactSizes() {
        DataSplit s = Splitter.split(lexicon(), config(SplitConfig.GROUP_HOMOPHONES));
        assertEquals(150, s.count(SplitName.TEST));
        assertEquals(100, s.count(SplitName.DEV));
        assertEquals(150, s.count(SplitName.PAIRED));
        assertEquals(250, s.count(SplitName.UNPAIRED_GRAPHEMES));
        assertEquals(240, s.count(SplitName.UNPAIRED_PHONEMES));
        Map<String, Integer> leaks = SplitLeaks.count(s);
        leaks.forEach((k, v) -> assertEquals(0, v, k));
        // every group whole in one split
        for (List<String> g : WordGroups.of(merge(s))) {
            long splits = java.util.Arrays.stream(SplitName.values()).filter(n -> s.words(n).contains(g.get(0))).count();
            assertEquals(1, splits);
            for (SplitName n : SplitName.values()) {
                if (s.words(n).contains(g.get(0))) {
                    assertTrue(s.words(n).containsAll(g), g + " split apart");
                }
            }
        }
        assertEquals(s.fingerprint(), Splitter.split(lexicon(), config(SplitConfig.GROUP_HOMOPHONES)).fingerprint());
    }

    @Test
    void legacyWordSplitLeaksAndKeepsItsFingerprint() {
        DataSplit legacy = Splitter.split(lexicon(), config(SplitConfig.GROUP_WORD));
        Map<String, Integer> leaks = SplitLeaks.count(legacy);
        System.out.println("synthetic lexicon, legacy per-word split leaks: " + leaks);
        assertTrue(leaks.get("test->unpaired_phonemes.pronunciation") > 0, leaks.toString());
        // the legacy constructor is the per-word split, with the fingerprint it always had
        assertEquals(legacy.fingerprint(), Splitter.split(lexicon(),
                new SplitConfig(3, 150, 250, 240, 100, 150, true)).fingerprint());
        assertNotEquals(legacy.fingerprint(), Splitter.split(lexicon(), config(SplitConfig.GROUP_HOMOPHONES)).fingerprint());
    }

    @Test
    void sizesThatCannotBeFilledWithWholeGroupsAreAClearError() {
        // without the singletons: 250 groups of two words and one of three (503 words); 502 asked for would leave
        // one word, which no set of whole groups does (stress stripping no longer merges the singletons' symbols
        // N0..N9 / K0..K39 into groups: only ARPAbet vowels lose a digit)
        List<LexiconEntry> paired = lexicon().entries().stream().filter(x -> !x.word().matches("s\\d+")).toList();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Splitter.split(
                new Lexicon(paired, List.of()), new SplitConfig(3, 150, 50, 52, 100, 150, true, SplitConfig.GROUP_HOMOPHONES)));
        assertTrue(e.getMessage().contains("whole homophone groups"), e.getMessage());
    }

    @Test
    void unknownGroupingIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> config("spelling"));
        assertTrue(e.getMessage().contains("split.grouping"), e.getMessage());
    }

    private static Map<String, List<List<String>>> merge(DataSplit s) {
        Map<String, List<List<String>>> all = new HashMap<>();
        for (SplitName n : SplitName.values()) {
            all.putAll(s.pronunciations(n));
        }
        return all;
    }
}
