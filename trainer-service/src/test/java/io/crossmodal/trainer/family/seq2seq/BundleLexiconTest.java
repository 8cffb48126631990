package io.crossmodal.trainer.family.seq2seq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.family.seq2seq.lexicon.LexiconFile;
import io.crossmodal.family.seq2seq.lexicon.PronunciationLexicon;
import io.crossmodal.runtime.bundle.ServingSpec;
import io.crossmodal.trainer.config.JobConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lexicon written at registration: a user's override read strictly and normalised, and the served default mode. */
class BundleLexiconTest {

    private static JobConfig config(Path dir, String lexiconJson) throws Exception {
        Path f = dir.resolve("job.json");
        Files.writeString(f, "{\"name\": \"t\", \"components\": [\"g2p\"]" + (lexiconJson == null ? "" : ", \"lexicon\": " + lexiconJson) + "}");
        return JobConfig.read(f);
    }

    @Test
    void anOverrideIsStressStrippedOnArpabetVowelsOnlyAndAnyInventoryLoads(@TempDir Path dir) throws Exception {
        Path o = dir.resolve("override.dict");
        Files.writeString(o, "READ  R EH1 D\nÉTÉ  e1 t e1\n", StandardCharsets.UTF_8);
        PronunciationLexicon lex = BundleLexicon.override(o, true);
        assertEquals(List.of(List.of("R", "EH", "D")), lex.byWord().get("read"));
        assertEquals(List.of(List.of("e1", "t", "e1")), lex.byWord().get("été"));
        assertEquals(lex.byWord(), LexiconFile.read(BundleLexicon.files(lex).get(LexiconFile.NAME)).byWord());
    }

    @Test
    void aMalformedOverrideLineFailsNamingTheLine(@TempDir Path dir) throws Exception {
        Path o = dir.resolve("override.dict");
        Files.writeString(o, "GOOD  G UH1 D\nBAD\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BundleLexicon.override(o, true));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BundleLexicon.override(dir.resolve("missing.dict"), true));
        Files.writeString(o, ";;; nothing\n");
        assertThrows(IllegalArgumentException.class, () -> BundleLexicon.override(o, true));
    }

    @Test
    void theDefaultModeIsTheBundlesServingSettingOfBothRoles(@TempDir Path dir) throws Exception {
        PronunciationLexicon lex = new PronunciationLexicon(Map.of("cat", List.of(List.of("K", "AE", "T"))));
        Map<String, ServingSpec> dflt = BundleLexicon.serving(config(dir, null), lex);
        assertEquals(Map.of("lexicon", "first"), dflt.get("decoder").decoding());
        assertEquals(Map.of("lexicon", "first"), dflt.get("encoder").decoding());
        assertEquals(Map.of("lexicon", "model"),
                BundleLexicon.serving(config(dir, "{\"mode\": \"model\"}"), lex).get("decoder").decoding());
        assertEquals(Map.of(), BundleLexicon.serving(config(dir, null), PronunciationLexicon.EMPTY), "no lexicon, no setting");
        assertThrows(IllegalArgumentException.class,
                () -> BundleLexicon.serving(config(dir, "{\"mode\": \"lexicon\", \"training\": false}"), PronunciationLexicon.EMPTY));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> config(dir, "{\"mode\": \"always\"}"));
        assertTrue(bad.getMessage().contains("lexicon.mode"), bad.getMessage());
    }
}
