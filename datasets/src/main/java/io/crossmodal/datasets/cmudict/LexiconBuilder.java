package io.crossmodal.datasets.cmudict;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Validates one (word field, phoneme field) pair at a time, so the CMUdict text parser and the
 * npm-package parser share exactly the same rules for alternates, comments and symbols.
 */
final class LexiconBuilder {
    private static final Pattern ALTERNATE = Pattern.compile("(.+)\\(([0-9]{1,4})\\)");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private final boolean stripStress;
    private final boolean anyInventory;
    private final List<LexiconEntry> entries = new ArrayList<>();
    private final List<ParseIssue> issues = new ArrayList<>();
    private final Set<String> seen = new HashSet<>();

    LexiconBuilder(boolean stripStress) {
        this(stripStress, false);
    }

    /** @param anyInventory accept any phoneme inventory ({@link Arpabet#isAnySymbol}), not only ARPAbet */
    LexiconBuilder(boolean stripStress, boolean anyInventory) {
        this.stripStress = stripStress;
        this.anyInventory = anyInventory;
    }

    /** Adds the entry, or records a {@link ParseIssue} for {@code line} if it is malformed. */
    void add(int lineNumber, String line, String wordField, String phonemeField) {
        String reason = tryAdd(wordField, phonemeField);
        if (reason != null) {
            issue(lineNumber, line, reason);
        }
    }

    void issue(int lineNumber, String line, String reason) {
        issues.add(new ParseIssue(lineNumber, line, reason));
    }

    Lexicon build() {
        return new Lexicon(entries, issues);
    }

    /** Adds the entry and returns null, or returns why it is malformed (nothing added). */
    String tryAdd(String wordField, String phonemeField) {
        String word = wordField;
        int variant = 0;
        if (word.indexOf('(') >= 0 || word.indexOf(')') >= 0) {
            Matcher m = ALTERNATE.matcher(word);
            if (!m.matches() || m.group(1).indexOf('(') >= 0 || m.group(1).indexOf(')') >= 0) {
                return "bad alternate marker in '" + wordField + "' (expected WORD(n))";
            }
            word = m.group(1);
            variant = Integer.parseInt(m.group(2));
            if (variant < 1) {
                return "bad alternate marker in '" + wordField + "' (n must be >= 1)";
            }
        }
        if (word.isBlank()) {
            return "empty word";
        }
        if (word.indexOf('\uFFFD') >= 0) {
            // The file was not valid UTF-8; such a word would poison the grapheme vocabulary.
            return "undecodable character in word '" + wordField + "'";
        }
        int hash = phonemeField.indexOf('#');
        String body = (hash >= 0 ? phonemeField.substring(0, hash) : phonemeField).strip();
        if (body.isEmpty()) {
            return "no phonemes";
        }
        List<String> phonemes = new ArrayList<>();
        for (String token : WHITESPACE.split(body)) {
            if (anyInventory ? !Arpabet.isAnySymbol(token) : !Arpabet.isSymbol(token)) {
                return "invalid phoneme '" + token + "' (expected " + (anyInventory
                        ? "a symbol of at most " + Arpabet.MAX_SYMBOL_LENGTH + " printable characters, not a reserved one"
                        : "ARPAbet like AH0") + ")";
            }
            phonemes.add(stripStress ? Arpabet.stripStress(token) : token);
        }
        LexiconEntry entry = new LexiconEntry(word, phonemes, variant);
        if (!seen.add(entry.word() + '\u0000' + variant)) {
            return "duplicate entry for '" + wordField + "'";
        }
        entries.add(entry);
        return null;
    }
}
