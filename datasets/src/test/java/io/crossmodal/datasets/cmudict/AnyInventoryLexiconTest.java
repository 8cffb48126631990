package io.crossmodal.datasets.cmudict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Lexicons in CMUdict text format with non-ASCII spellings and phoneme inventories that are not ARPAbet. */
class AnyInventoryLexiconTest {

    private static Lexicon parse(String text, boolean stripStress) throws IOException {
        return new CmuDictParser(stripStress, true).parse(new StringReader(text));
    }

    @Test
    void nonAsciiSpellingsAndMultiCharacterSymbolsWithDigitsLoad() throws IOException {
        Lexicon lex = parse("""
                ÉTÉ  e1 t e1
                Straße  ʃ t r aː s ə
                mā  m a1
                má  m a2
                 ts2  ts2
                """, true);
        assertEquals(List.of(), lex.issues());
        // stress stripping leaves every non-ARPAbet symbol alone: tone digits are part of the symbol
        assertEquals(List.of(List.of("e1", "t", "e1")), lex.pronunciationsByWord().get("été"));
        assertEquals(List.of(List.of("ʃ", "t", "r", "aː", "s", "ə")), lex.pronunciationsByWord().get("straße"));
        assertEquals(List.of(List.of("m", "a1")), lex.pronunciationsByWord().get("mā"));
        assertEquals(List.of(List.of("ts2")), lex.pronunciationsByWord().get("ts2"));
    }

    @Test
    void decomposedSpellingsAreComposed() throws IOException {
        Lexicon lex = parse("e\u0301te  e t e\n", false);
        assertEquals(List.of("\u00e9te"), List.copyOf(lex.pronunciationsByWord().keySet()));
    }

    @Test
    void reservedControlAndUndecodableSymbolsAreRejected() throws IOException {
        Lexicon lex = parse("""
                A  <unk>
                B  b\u0000
                C  c\uFFFD
                D  %s
                OK  o k
                """.formatted("x".repeat(Arpabet.MAX_SYMBOL_LENGTH + 1)), false);
        assertEquals(List.of("ok"), List.copyOf(lex.pronunciationsByWord().keySet()));
        assertEquals(List.of(1, 2, 3, 4), lex.issues().stream().map(ParseIssue::lineNumber).toList());
        assertTrue(lex.issues().get(0).reason().contains("'<unk>'"), lex.issues().get(0).reason());
    }

    @Test
    void stressIsStrippedFromArpabetVowelsOnlyAndNeverEmptiesASymbol() {
        assertEquals("AH", Arpabet.stripStress("AH0"));
        assertEquals("AXR", Arpabet.stripStress("AXR1"));
        // consonant-looking or foreign symbols that end in a digit keep it
        assertEquals("K2", Arpabet.stripStress("K2"));
        assertEquals("a1", Arpabet.stripStress("a1"));
        assertEquals("ts2", Arpabet.stripStress("ts2"));
        assertEquals("1", Arpabet.stripStress("1"));
        assertEquals("0", Arpabet.stripStress("0"));
        assertEquals(List.of("2", "EY", "a1"), Arpabet.stripStress(List.of("2", "EY1", "a1")));
    }

    @Test
    void theStrictArpabetParserStillRejectsOtherInventories() throws IOException {
        Lexicon lex = new CmuDictParser(false).parse(new StringReader("MA  m a1\nOK  OW1 K EY1\n"));
        assertEquals(List.of("ok"), List.copyOf(lex.pronunciationsByWord().keySet()));
        assertEquals(1, lex.issues().size());
    }
}
