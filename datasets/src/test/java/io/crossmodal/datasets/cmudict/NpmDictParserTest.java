package io.crossmodal.datasets.cmudict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class NpmDictParserTest {

    // Same shape as index.js in cmu-pronouncing-dictionary 3.0.0.
    static final String MODULE = """
            /** @type {{ [word: string]: string }} */
            export const dictionary = {
              "'bout": "B AW1 T",
              "a": "AH0",
              "a(2)": "EY1",
              "aalborg": "AO1 L B AO0 R G # place, danish",
              "bad": "B ae1 D",
              "worse(x": "W ER1 S",
              "zyuganov": "Z Y UW1 G AA0 N AA0 V"
            }
            """;

    @Test
    void parsesModuleObjectWithAlternatesAndInlineComments() throws IOException {
        Lexicon lex = new NpmDictParser(false).parse(MODULE);
        assertEquals(List.of("'bout", "a", "aalborg", "zyuganov"), List.copyOf(lex.pronunciationsByWord().keySet()));
        assertEquals(List.of(List.of("AH0"), List.of("EY1")), lex.pronunciationsByWord().get("a"));
        assertEquals(List.of("AO1", "L", "B", "AO0", "R", "G"), lex.pronunciationsByWord().get("aalborg").get(0));
        assertEquals(2, lex.issues().size());
        assertEquals(7, lex.issues().get(0).lineNumber());
        assertEquals("  \"bad\": \"B ae1 D\",", lex.issues().get(0).line());
        assertEquals(8, lex.issues().get(1).lineNumber());
        assertTrue(lex.issues().get(1).reason().contains("alternate"));
    }

    @Test
    void stripsStressAndAcceptsPlainJsonAndCommonJs() throws IOException {
        Lexicon json = new NpmDictParser(true).parse("{\"a\": \"AH0\", \"x\": [\"EH1\"]}");
        assertEquals(List.of("AH"), json.entries().get(0).phonemes());
        assertEquals(1, json.issues().size()); // non-string value
        Lexicon cjs = new NpmDictParser(false).parse("module.exports = {'a': 'AH0',};\n");
        assertEquals(1, cjs.size());
    }

    @Test
    void detectsFormatByContent() {
        assertTrue(NpmDictParser.looksLikeModule(MODULE));
        assertTrue(NpmDictParser.looksLikeModule("  {\"a\": \"AH0\"}"));
        assertFalse(NpmDictParser.looksLikeModule(";;; comment\nA  AH0\n"));
        assertFalse(NpmDictParser.looksLikeModule("let  L EH1 T\n"));
        assertFalse(NpmDictParser.looksLikeModule("a AH0\n"));
    }

    @Test
    void structurallyBrokenObjectThrowsWithLine() {
        IOException e = assertThrows(IOException.class,
                () -> new NpmDictParser(false).parse("export const d = {\n  \"a\": \"AH0\"\n  \"b\" \"B\"\n}"));
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
    }
}
