package io.crossmodal.datasets.cmudict;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;

/**
 * Parses the CMUdict text format: {@code WORD  PH1 PH2 ...}, alternates as {@code WORD(2)},
 * comment lines starting with {@code ;;;} or {@code #}, optional trailing {@code # comment}.
 * Malformed lines become {@link ParseIssue}s; only I/O errors throw.
 */
public final class CmuDictParser {
    private final boolean stripStress;
    private final boolean anyInventory;

    public CmuDictParser() {
        this(false);
    }

    /** @param stripStress drop stress digits ({@code AH0 -> AH}) while parsing */
    public CmuDictParser(boolean stripStress) {
        this(stripStress, false);
    }

    /**
     * @param stripStress  drop the stress digits of ARPAbet vowels ({@link Arpabet#stripStress})
     * @param anyInventory accept phonemes of any inventory (IPA, tones, multi-character symbols), not only ARPAbet
     */
    public CmuDictParser(boolean stripStress, boolean anyInventory) {
        this.stripStress = stripStress;
        this.anyInventory = anyInventory;
    }

    public boolean stripStress() {
        return stripStress;
    }

    public Lexicon parse(Reader reader) throws IOException {
        LexiconBuilder builder = new LexiconBuilder(stripStress, anyInventory);
        BufferedReader in = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
        String raw;
        int lineNumber = 0;
        while ((raw = in.readLine()) != null) {
            lineNumber++;
            String line = lineNumber == 1 && raw.startsWith("\uFEFF") ? raw.substring(1) : raw;
            String s = line.strip();
            if (s.isEmpty() || s.startsWith(";;;") || s.startsWith("#")) {
                continue;
            }
            int split = firstWhitespace(s);
            if (split < 0) {
                builder.issue(lineNumber, raw, "no phonemes");
                continue;
            }
            builder.add(lineNumber, raw, s.substring(0, split), s.substring(split));
        }
        return builder.build();
    }

    private static int firstWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }
}
