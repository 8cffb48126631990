package io.crossmodal.datasets.cmudict;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.IOException;
import java.io.StringReader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the format of the npm package {@code cmu-pronouncing-dictionary}: a JavaScript module
 * {@code export const dictionary = {"word": "PH1 PH2", "word(2)": "...", ...}} (also accepts a
 * bare JSON object or {@code module.exports = {...}}). Values may carry a trailing
 * {@code # comment} exactly like CMUdict lines. Bad entries become {@link ParseIssue}s; only a
 * structurally broken object throws, since nothing after that point can be trusted.
 */
public final class NpmDictParser {
    // The object literal of a JS module is JSON in practice, but be lenient about what a
    // formatter might emit (comments, trailing commas, quote style).
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
            .enable(JsonReadFeature.ALLOW_SINGLE_QUOTES)
            .enable(JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES)
            .build();
    private static final Pattern DECLARATION = Pattern.compile(
            "(?:export\\s+default|module\\.exports\\s*=|(?:export\\s+)?(?:const|let|var)\\s+[\\w$]+\\s*=)\\s*");

    private final boolean stripStress;

    public NpmDictParser(boolean stripStress) {
        this.stripStress = stripStress;
    }

    /** True if {@code content} looks like this format rather than CMUdict text. */
    public static boolean looksLikeModule(String content) {
        return objectStart(content) >= 0;
    }

    public Lexicon parse(String content) throws IOException {
        int start = objectStart(content);
        if (start < 0) {
            throw new IOException("no dictionary object literal found (expected '{' or 'export const x = {')");
        }
        int lineOffset = countNewlines(content, start);
        LexiconBuilder builder = new LexiconBuilder(stripStress);
        try (JsonParser p = JSON.createParser(new StringReader(content.substring(start)))) {
            p.nextToken(); // START_OBJECT, guaranteed by objectStart
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                int lineNumber = lineOffset + p.currentTokenLocation().getLineNr();
                int charOffset = start + (int) p.currentTokenLocation().getCharOffset();
                if (p.nextToken() == JsonToken.VALUE_STRING) {
                    // Source line text is only materialised for the rare bad entry.
                    String reason = builder.tryAdd(key, p.getText());
                    if (reason != null) {
                        builder.issue(lineNumber, lineAt(content, charOffset), reason);
                    }
                } else {
                    p.skipChildren();
                    builder.issue(lineNumber, lineAt(content, charOffset),
                            "expected a string of phonemes for '" + key + "'");
                }
            }
            if (t != JsonToken.END_OBJECT) {
                throw new IOException("malformed dictionary object near line "
                        + (lineOffset + p.currentTokenLocation().getLineNr()));
            }
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : lineOffset + e.getLocation().getLineNr();
            throw new IOException("malformed dictionary object near line " + line + ": "
                    + e.getOriginalMessage(), e);
        }
        return builder.build();
    }

    /** Offset of the object literal's '{', skipping leading comments and a declaration; -1 if none. */
    static int objectStart(String s) {
        int i = skipCommentsAndSpace(s, 0);
        Matcher m = DECLARATION.matcher(s).region(i, s.length());
        if (m.lookingAt()) {
            i = m.end();
        }
        return i < s.length() && s.charAt(i) == '{' ? i : -1;
    }

    private static int skipCommentsAndSpace(String s, int i) {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c) || c == '\uFEFF') {
                i++;
            } else if (s.startsWith("/*", i)) {
                int end = s.indexOf("*/", i + 2);
                i = end < 0 ? s.length() : end + 2;
            } else if (s.startsWith("//", i)) {
                int end = s.indexOf('\n', i);
                i = end < 0 ? s.length() : end + 1;
            } else {
                break;
            }
        }
        return i;
    }

    private static int countNewlines(String s, int end) {
        int n = 0;
        for (int i = 0; i < end; i++) {
            if (s.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }

    private static String lineAt(String s, int offset) {
        int from = s.lastIndexOf('\n', offset - 1) + 1;
        int to = s.indexOf('\n', offset);
        return s.substring(from, to < 0 ? s.length() : to).stripTrailing();
    }
}
