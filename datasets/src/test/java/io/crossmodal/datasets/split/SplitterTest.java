package io.crossmodal.datasets.split;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.crossmodal.datasets.cmudict.Lexicon;
import io.crossmodal.datasets.cmudict.LexiconEntry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SplitterTest {

    /** 1000 words; every third word has a second pronunciation differing only in stress. */
    private static Lexicon lexicon() {
        List<LexiconEntry> entries = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            String w = "w" + i;
            entries.add(new LexiconEntry(w, List.of("W", "AH0", "N"), 0));
            if (i % 3 == 0) {
                entries.add(new LexiconEntry(w, List.of("W", "AH1", "N"), 2));
            }
        }
        return new Lexicon(entries, List.of());
    }

    private static SplitConfig config(long seed) {
        return new SplitConfig(seed, 100, 300, 300, 50, 100, false);
    }

    @Test
    void sameSeedSameSplitDifferentSeedDifferent() {
        DataSplit a = Splitter.split(lexicon(), config(7));
        DataSplit b = Splitter.split(lexicon(), config(7));
        DataSplit c = Splitter.split(lexicon(), config(8));
        for (SplitName n : SplitName.values()) {
            assertEquals(a.words(n), b.words(n));
            assertEquals(a.hash(n), b.hash(n));
            assertNotEquals(a.hash(n), c.hash(n));
        }
        assertEquals(a.fingerprint(), b.fingerprint());
        assertNotEquals(a.fingerprint(), c.fingerprint());
    }

    @Test
    void independentOfLexiconOrder() {
        List<LexiconEntry> reversed = new ArrayList<>(lexicon().entries());
        java.util.Collections.reverse(reversed);
        DataSplit a = Splitter.split(lexicon(), config(3));
        DataSplit b = Splitter.split(new Lexicon(reversed, List.of()), config(3));
        assertEquals(a.fingerprint(), b.fingerprint());
    }

    @Test
    void splitsAreDisjointAndCountsMatch() {
        DataSplit s = Splitter.split(lexicon(), config(1));
        Set<String> seen = new HashSet<>();
        for (SplitName n : SplitName.values()) {
            for (String w : s.words(n)) {
                assertTrue(seen.add(w), "word in two splits: " + w);
            }
        }
        assertEquals(100, s.count(SplitName.TEST));
        assertEquals(50, s.count(SplitName.DEV));
        assertEquals(100, s.count(SplitName.PAIRED));
        assertEquals(300, s.count(SplitName.UNPAIRED_GRAPHEMES));
        assertEquals(300, s.count(SplitName.UNPAIRED_PHONEMES));
        assertEquals(850, seen.size());
        assertEquals(s.words(SplitName.TEST).stream().sorted().toList(), s.words(SplitName.TEST));
    }

    @Test
    void allPronunciationsOfAWordStayTogether() {
        DataSplit s = Splitter.split(lexicon(), config(1));
        int prons = 0;
        for (SplitName n : SplitName.values()) {
            for (var e : s.pronunciations(n).entrySet()) {
                int i = Integer.parseInt(e.getKey().substring(1));
                assertEquals(i % 3 == 0 ? 2 : 1, e.getValue().size(), e.getKey());
            }
            prons += s.split(n).pronunciationCount();
        }
        assertTrue(prons > 850);
    }

    @Test
    void restTakesRemainderAndTestDevDoNotDependOnTrainingSizes() {
        DataSplit small = Splitter.split(lexicon(), new SplitConfig(5, 10, 0, 0, 50, 100, false));
        DataSplit rest = Splitter.split(lexicon(), new SplitConfig(5, -1, 0, 0, 50, 100, false));
        assertEquals(850, rest.count(SplitName.PAIRED));
        assertEquals(small.hash(SplitName.TEST), rest.hash(SplitName.TEST));
        assertEquals(small.hash(SplitName.DEV), rest.hash(SplitName.DEV));
        assertTrue(rest.words(SplitName.PAIRED).containsAll(small.words(SplitName.PAIRED)));
    }

    @Test
    void stripStressMergesVariantsAndChangesFingerprint() {
        DataSplit plain = Splitter.split(lexicon(), config(1));
        DataSplit stripped = Splitter.split(lexicon(), new SplitConfig(1, 100, 300, 300, 50, 100, true));
        assertEquals(plain.hash(SplitName.TEST), stripped.hash(SplitName.TEST));
        for (List<List<String>> p : stripped.pronunciations(SplitName.TEST).values()) {
            assertEquals(List.of(List.of("W", "AH", "N")), p);
        }
        assertNotEquals(plain.fingerprint(), stripped.fingerprint());
    }

    @Test
    void wordHashIsSha256OfSortedWordLines() throws Exception {
        DataSplit s = Splitter.split(lexicon(), config(1));
        StringBuilder sb = new StringBuilder();
        s.words(SplitName.DEV).forEach(w -> sb.append(w).append('\n'));
        String expected = HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected, s.hash(SplitName.DEV));
    }

    @Test
    void summarySerialisesToJson() throws Exception {
        DataSplit s = Splitter.split(lexicon(), config(1));
        JsonNode json = new ObjectMapper().valueToTree(s.toJson());
        assertEquals(100, json.get("words").get("test").asInt());
        assertEquals(300, json.get("words").get("unpaired_phonemes").asInt());
        assertEquals(s.hash(SplitName.PAIRED), json.get("hashes").get("paired").asText());
        assertEquals(1, json.get("config").get("seed").asLong());
        assertEquals(s.fingerprint(), json.get("fingerprint").asText());
    }

    @Test
    void configValidation() {
        IllegalArgumentException neg = assertThrows(IllegalArgumentException.class,
                () -> new SplitConfig(1, -2, 0, 0, 0, 0, false));
        assertTrue(neg.getMessage().contains("paired"), neg.getMessage());
        IllegalArgumentException twoRest = assertThrows(IllegalArgumentException.class,
                () -> new SplitConfig(1, -1, -1, 0, 0, 0, false));
        assertTrue(twoRest.getMessage().contains("at most one"), twoRest.getMessage());
        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
                () -> Splitter.split(lexicon(), new SplitConfig(1, 600, 300, 0, 50, 100, false)));
        assertTrue(tooMany.getMessage().contains("1050") && tooMany.getMessage().contains("1000"),
                tooMany.getMessage());
        // Exactly all words with a rest of zero is fine.
        DataSplit exact = Splitter.split(lexicon(), new SplitConfig(1, 850, -1, 0, 50, 100, false));
        assertEquals(0, exact.count(SplitName.UNPAIRED_GRAPHEMES));
    }

    @Test
    void spellingsAreNormalisedBeforeSplitting() {
        // "café" precomposed vs decomposed must not end up as two words in different splits.
        Lexicon lex = new Lexicon(List.of(
                new LexiconEntry("caf\u00e9", List.of("K", "AE0", "F", "EY1"), 0),
                new LexiconEntry("cafe\u0301", List.of("K", "AH0", "F", "EY1"), 0)), List.of());
        DataSplit s = Splitter.split(lex, new SplitConfig(1, -1, 0, 0, 0, 0, false));
        assertEquals(List.of("caf\u00e9"), s.words(SplitName.PAIRED));
        assertEquals(2, s.pronunciations(SplitName.PAIRED).get("caf\u00e9").size());
    }
}
