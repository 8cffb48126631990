package io.crossmodal.family.seq2seq.lexicon;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bundle file {@value #NAME}: the lexicon in CMUdict text format, UTF-8, one pronunciation per line
 * ({@code word  S1 S2 ...}, further variants as {@code word(2)}, {@code word(3)}, ...), so any CMUdict tool
 * reads it. The trainer writes it (the training entries, a user's override merged in) and the serving
 * plug-in reads it back; both sides are here so they cannot drift. The reader is strict (a bundle file
 * is checksummed and written by {@link #write}: anything else is corruption); lenient parsing of users'
 * dictionaries, with per-line issues, is the trainer's (datasets' CmuDictParser).
 */
public final class LexiconFile {

    /** The file's name inside a bundle. */
    public static final String NAME = "lexicon.dict";
    private static final Pattern ALTERNATE = Pattern.compile("(.+)\\(([0-9]{1,4})\\)");
    private static final Pattern WHITESPACE = Pattern.compile("[ \\t]+");

    private LexiconFile() {
    }

    /** The lexicon as CMUdict text; IllegalArgumentException for a spelling or symbol the format cannot carry. */
    public static byte[] write(PronunciationLexicon lexicon) {
        StringBuilder out = new StringBuilder();
        out.append(";;; pronunciation lexicon of a crossmodal seq2seq bundle (CMUdict text format, UTF-8)\n");
        for (Map.Entry<String, List<List<String>>> e : lexicon.byWord().entrySet()) {
            String word = e.getKey();
            checkWord(word);
            int variant = 1;
            for (List<String> p : e.getValue()) {
                for (String s : p) {
                    if (s.codePoints().anyMatch(cp -> Character.isWhitespace(cp) || cp == '#')) {
                        throw new IllegalArgumentException("lexicon symbol '" + s + "' of word '" + word
                                + "' cannot be written in CMUdict text (whitespace or '#')");
                    }
                }
                out.append(word);
                if (variant > 1) {
                    out.append('(').append(variant).append(')');
                }
                out.append("  ").append(String.join(" ", p)).append('\n');
                variant++;
            }
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Reads a file {@link #write} wrote; IllegalArgumentException naming the line for anything else. */
    public static PronunciationLexicon read(byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(NAME + " is not UTF-8 text");
        }
        Map<String, List<List<String>>> byWord = new LinkedHashMap<>();
        int lineNumber = 0;
        for (String line : text.split("\n", -1)) {
            lineNumber++;
            if (line.isEmpty() || line.startsWith(";;;")) {
                continue;
            }
            String[] fields = WHITESPACE.split(line.strip());
            if (fields.length < 2) {
                throw new IllegalArgumentException(NAME + " line " + lineNumber + ": no pronunciation");
            }
            String word = fields[0];
            int variant = 1;
            Matcher m = ALTERNATE.matcher(word);
            if (m.matches()) {
                word = m.group(1);
                variant = Integer.parseInt(m.group(2));
            }
            List<List<String>> prons = byWord.computeIfAbsent(word, w -> new ArrayList<>());
            if (variant != prons.size() + 1) {
                throw new IllegalArgumentException(NAME + " line " + lineNumber + ": variant " + variant + " of '" + word
                        + "' out of order (expected " + (prons.size() + 1) + ")");
            }
            prons.add(List.of(fields).subList(1, fields.length));
        }
        return new PronunciationLexicon(byWord);
    }

    private static void checkWord(String word) {
        if (word.codePoints().anyMatch(Character::isWhitespace) || word.startsWith(";;;") || word.startsWith("#")
                || ALTERNATE.matcher(word).matches()) {
            throw new IllegalArgumentException("lexicon spelling '" + word + "' cannot be written in CMUdict text"
                    + " (whitespace, a comment marker or a trailing (n))");
        }
    }
}
