package io.crossmodal.datasets.cmudict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.datasets.split.DataSplit;
import io.crossmodal.datasets.split.SplitConfig;
import io.crossmodal.datasets.split.SplitName;
import io.crossmodal.datasets.split.Splitter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Really downloads the pinned npm release; excluded with {@code -DexcludedGroups=network}. */
@Tag("network")
class CmuDictNetworkTest {
    @TempDir
    static Path cache; // shared, so the second test reuses the verified download

    @Test
    void downloadsPinnedReleaseAndParsesIt() throws Exception {
        Lexicon lex = new CmuDictSource(cache).load(false);
        assertTrue(lex.size() > 100_000, "entries: " + lex.size());
        assertTrue(lex.pronunciationsByWord().size() > 100_000, "words: " + lex.pronunciationsByWord().size());
        assertEquals(List.of(List.of("AH0"), List.of("EY1")), lex.pronunciationsByWord().get("a"));
        assertEquals(List.of("Z", "Y", "UW1", "G", "AA0", "N", "AA0", "V"),
                lex.pronunciationsByWord().get("zyuganov").get(0));
        // The content is pinned by SHA-256, so exact counts catch any parser regression.
        assertEquals(135_155, lex.size());
        assertEquals(126_046, lex.pronunciationsByWord().size());
        assertEquals(List.of(), lex.issues());
    }

    @Test
    void realLexiconSplitsDeterministically() throws Exception {
        Lexicon lex = new CmuDictSource(cache).load(false);
        SplitConfig config = new SplitConfig(13, 5_000, 20_000, 20_000, 2_000, 5_000, true);
        DataSplit a = Splitter.split(lex, config);
        assertEquals(5_000, a.count(SplitName.TEST));
        assertEquals(20_000, a.count(SplitName.UNPAIRED_PHONEMES));
        assertEquals(a.fingerprint(), Splitter.split(lex, config).fingerprint());
    }

    /**
     * Leak counts of the study's split (split seed 1, 1,000 test, 300 dev words, stress stripped)
     * before (legacy per-word split) and after (homophone-aware): printed for docs/NOISY_CHANNEL.md.
     */
    @Test
    void homophoneAwareSplitRemovesTheStudyLeaks() throws Exception {
        Lexicon lex = new CmuDictSource(cache).load(false);
        int[][] sizes = {{1000, 10_000, 10_000}, {500, 50_000, 50_000}};
        for (int[] sz : sizes) {
            for (String g : List.of(io.crossmodal.datasets.split.SplitConfig.GROUP_WORD,
                    io.crossmodal.datasets.split.SplitConfig.GROUP_HOMOPHONES)) {
                DataSplit s = Splitter.split(lex, new SplitConfig(1, sz[0], sz[1], sz[2], 300, 1000, true, g));
                java.util.Map<String, Integer> leaks = io.crossmodal.datasets.split.SplitLeaks.count(s);
                System.out.printf("LEAKS paired=%d unpaired=%d+%d grouping=%s: %s%n", sz[0], sz[1], sz[2], g, leaks);
                if (g.equals(io.crossmodal.datasets.split.SplitConfig.GROUP_HOMOPHONES)) {
                    leaks.forEach((k, v) -> assertEquals(0, v, k));
                    assertEquals(1000, s.count(SplitName.TEST));
                    assertEquals(sz[2], s.count(SplitName.UNPAIRED_PHONEMES));
                } else {
                    assertTrue(leaks.get("test->unpaired_phonemes.pronunciation") > 0, leaks.toString());
                }
            }
        }
    }
}
