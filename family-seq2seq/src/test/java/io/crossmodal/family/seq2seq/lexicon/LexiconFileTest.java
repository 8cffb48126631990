package io.crossmodal.family.seq2seq.lexicon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bundle's lexicon file: written and read back exactly, lookups both ways, override precedence, corruption. */
public class LexiconFileTest {

    /** A lexicon from (word, space-separated pronunciation) pairs; a repeated word adds a variant. */
    public static PronunciationLexicon lexicon(Object... wordsAndProns) {
        Map<String, List<List<String>>> m = new LinkedHashMap<>();
        for (int i = 0; i < wordsAndProns.length; i += 2) {
            m.computeIfAbsent((String) wordsAndProns[i], w -> new java.util.ArrayList<>())
                    .add(List.of(((String) wordsAndProns[i + 1]).split(" ")));
        }
        return new PronunciationLexicon(m);
    }

    @Test
    void writesCmuDictTextAndReadsItBackWithNonAsciiSpellingsAndAnyInventory() {
        PronunciationLexicon lex = lexicon("read", "R IY D", "read", "R EH D", "été", "e1 t e1", "straße", "ʃ t r aː s ə");
        byte[] bytes = LexiconFile.write(lex);
        String text = new String(bytes, StandardCharsets.UTF_8);
        assertTrue(text.contains("\nread  R IY D\nread(2)  R EH D\n"), text);
        PronunciationLexicon back = LexiconFile.read(bytes);
        assertEquals(lex.byWord(), back.byWord());
        assertEquals(3, back.words());
        assertEquals(4, back.entries());
        assertEquals(List.of(List.of("e1", "t", "e1")), back.pronunciations(List.of("é", "t", "é")));
        assertEquals(List.of(List.of("R", "IY", "D"), List.of("R", "EH", "D")), back.pronunciations(List.of("r", "e", "a", "d")));
        assertEquals(List.of(), back.pronunciations(List.of("r", "e", "d")));
    }

    @Test
    void homophonesAreAllSpellingsOfAPronunciation() {
        PronunciationLexicon lex = lexicon("red", "R EH D", "read", "R IY D", "read", "R EH D");
        assertEquals(List.of(List.of("r", "e", "d"), List.of("r", "e", "a", "d")), lex.spellings(List.of("R", "EH", "D")));
        assertEquals(List.of(List.of("r", "e", "a", "d")), lex.spellings(List.of("R", "IY", "D")));
    }

    @Test
    void anOverrideWordReplacesAllOfItsPronunciationsAndNewWordsAreAdded() {
        PronunciationLexicon base = lexicon("read", "R IY D", "read", "R EH D", "cat", "K AE T");
        PronunciationLexicon merged = base.withOverride(lexicon("cat", "K AA T", "gif", "JH IH F", "gif", "G IH F"));
        assertEquals(List.of(List.of("R", "IY", "D"), List.of("R", "EH", "D")), merged.byWord().get("read"));
        assertEquals(List.of(List.of("K", "AA", "T")), merged.byWord().get("cat"));
        assertEquals(List.of(List.of("JH", "IH", "F"), List.of("G", "IH", "F")), merged.byWord().get("gif"));
        assertEquals(List.of(), merged.spellings(List.of("K", "AE", "T")), "the replaced pronunciation is gone both ways");
        assertEquals(List.of("read", "cat", "gif"), List.copyOf(merged.byWord().keySet()));
    }

    @Test
    void spellingsAndSymbolsTheFormatCannotCarryAreRefusedOnWrite() {
        assertThrows(IllegalArgumentException.class, () -> LexiconFile.write(lexicon("two words", "T UW")));
        assertThrows(IllegalArgumentException.class, () -> LexiconFile.write(lexicon("x(2)", "EH K S")));
        assertThrows(IllegalArgumentException.class, () -> LexiconFile.write(lexicon(";;;x", "EH K S")));
        Map<String, List<List<String>>> m = Map.of("x", List.of(List.of("A#")));
        assertThrows(IllegalArgumentException.class, () -> LexiconFile.write(new PronunciationLexicon(m)));
    }

    @Test
    void aCorruptFileIsRefusedNamingTheLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LexiconFile.read("cat  K AE T\ndog\n".getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> LexiconFile.read("cat(3)  K AE T\n".getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("out of order"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LexiconFile.read(new byte[] {(byte) 0xff, 'a', ' ', 'b'}));
        assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
    }

    @Test
    void lexiconModesFromSettingsAndRequests() {
        assertEquals(LexiconMode.FIRST, LexiconMode.ofSetting("first"));
        assertEquals(LexiconMode.LEXICON, LexiconMode.ofSetting("lexicon"));
        assertThrows(IllegalArgumentException.class, () -> LexiconMode.ofSetting("FIRST"));
        assertThrows(IllegalArgumentException.class, () -> LexiconMode.ofSetting(3));
        assertEquals(LexiconMode.MODEL, LexiconMode.ofRequest(
                io.crossmodal.proto.common.v1.LexiconMode.LEXICON_MODE_UNSPECIFIED, LexiconMode.MODEL));
        assertEquals(LexiconMode.LEXICON, LexiconMode.ofRequest(
                io.crossmodal.proto.common.v1.LexiconMode.LEXICON_MODE_LEXICON, LexiconMode.MODEL));
    }
}
