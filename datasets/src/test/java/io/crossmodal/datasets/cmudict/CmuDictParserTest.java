package io.crossmodal.datasets.cmudict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CmuDictParserTest {

    private static Lexicon parse(String text, boolean stripStress) throws IOException {
        return new CmuDictParser(stripStress).parse(new StringReader(text));
    }

    @Test
    void parsesEntriesAlternatesAndComments() throws IOException {
        Lexicon lex = parse("""
                ;;; CMUdict header
                # another comment

                READ  R IY1 D
                READ(2)  R EH1 D
                A\tAH0
                A(2)   EY1   # letter name
                Don't  D OW1 N T
                """, false);
        assertEquals(List.of(
                new LexiconEntry("read", List.of("R", "IY1", "D"), 0),
                new LexiconEntry("read", List.of("R", "EH1", "D"), 2),
                new LexiconEntry("a", List.of("AH0"), 0),
                new LexiconEntry("a", List.of("EY1"), 2),
                new LexiconEntry("don't", List.of("D", "OW1", "N", "T"), 0)), lex.entries());
        assertEquals(List.of(), lex.issues());
        assertEquals(Map.of(
                "read", List.of(List.of("R", "IY1", "D"), List.of("R", "EH1", "D")),
                "a", List.of(List.of("AH0"), List.of("EY1")),
                "don't", List.of(List.of("D", "OW1", "N", "T"))), lex.pronunciationsByWord());
        assertEquals(List.of("read", "a", "don't"), List.copyOf(lex.pronunciationsByWord().keySet()));
    }

    @Test
    void malformedLinesAreReportedWithLineNumbersAndSkipped() throws IOException {
        Lexicon lex = parse("""
                GOOD  G UH1 D
                NOPHONES
                COMMENTONLY  # nothing here
                WORD(x  W ER1 D
                WORD(0)  W ER1 D
                WORD(2)(3)  W ER1 D
                LOWER  l ow1 er0
                STRESS  AH3
                GOOD  G UH1 D
                LAST  L AE1 S T
                """, false);
        assertEquals(List.of("good", "last"), List.copyOf(lex.pronunciationsByWord().keySet()));
        List<ParseIssue> issues = lex.issues();
        assertEquals(List.of(2, 3, 4, 5, 6, 7, 8, 9), issues.stream().map(ParseIssue::lineNumber).toList());
        assertEquals("NOPHONES", issues.get(0).line());
        assertTrue(issues.get(0).reason().contains("no phonemes"), issues.get(0).reason());
        assertTrue(issues.get(1).reason().contains("no phonemes"), issues.get(1).reason());
        assertTrue(issues.get(2).reason().contains("alternate"), issues.get(2).reason());
        assertTrue(issues.get(3).reason().contains("alternate"), issues.get(3).reason());
        assertTrue(issues.get(4).reason().contains("alternate"), issues.get(4).reason());
        assertTrue(issues.get(5).reason().contains("'l'"), issues.get(5).reason());
        assertTrue(issues.get(6).reason().contains("'AH3'"), issues.get(6).reason());
        assertTrue(issues.get(7).reason().contains("duplicate"), issues.get(7).reason());
    }

    @Test
    void stripsStressAndCollapsesVariantsThatBecomeIdentical() throws IOException {
        Lexicon lex = parse("""
                RECORD  R EH1 K ER0 D
                RECORD(2)  R IH0 K AO1 R D
                PROJECT  P R AA1 JH EH0 K T
                PROJECT(2)  P R AA1 JH EH2 K T
                """, true);
        assertEquals(List.of("R", "EH", "K", "ER", "D"), lex.entries().get(0).phonemes());
        assertEquals(4, lex.size());
        assertEquals(List.of(List.of("P", "R", "AA", "JH", "EH", "K", "T")),
                lex.pronunciationsByWord().get("project"));
        assertEquals(2, lex.pronunciationsByWord().get("record").size());
    }

    @Test
    void alternatesAreOrderedByVariantAndBomIsIgnored() throws IOException {
        Lexicon lex = parse("\uFEFFX(3)  EH1 K S\nX  EH1 K S IH0\nX(2)  EH1 K S AH0\n", false);
        assertEquals(List.of(List.of("EH1", "K", "S", "IH0"), List.of("EH1", "K", "S", "AH0"),
                List.of("EH1", "K", "S")), lex.pronunciationsByWord().get("x"));
        assertEquals(List.of(), lex.issues());
    }

    @Test
    void stressStripHelper() {
        assertEquals("AH", Arpabet.stripStress("AH0"));
        assertEquals("ER", Arpabet.stripStress("ER2"));
        assertEquals("K", Arpabet.stripStress("K"));
        assertTrue(Arpabet.isSymbol("AH1"));
        assertTrue(!Arpabet.isSymbol("AH12") && !Arpabet.isSymbol("1") && !Arpabet.isSymbol("ah"));
    }
}
