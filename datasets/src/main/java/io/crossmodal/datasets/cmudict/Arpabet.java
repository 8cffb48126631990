package io.crossmodal.datasets.cmudict;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Phoneme symbol checks shared by the parsers and the splitter: the strict ARPAbet check for the
 * pinned CMUdict, the loose check for lexicons with any phoneme inventory, and stress stripping,
 * which only touches ARPAbet vowels (the only symbols whose trailing digit CMUdict defines as stress).
 */
public final class Arpabet {
    // Upper-case letters plus an optional CMUdict stress digit; deliberately loose about the
    // letters so dictionaries with extra symbols still load, strict enough to catch garbage.
    private static final Pattern SYMBOL = Pattern.compile("[A-Z]+[0-2]?");

    /** The ARPAbet vowels CMUdict marks with a stress digit (plus the reduced vowels of extended ARPAbet). */
    public static final Set<String> VOWELS = Set.of("AA", "AE", "AH", "AO", "AW", "AX", "AXR", "AY", "EH", "ER", "EY",
            "IH", "IX", "IY", "OW", "OY", "UH", "UW", "UX");
    /** Longest symbol of any inventory: long enough for any IPA cluster with diacritics, short enough to catch a lost separator. */
    public static final int MAX_SYMBOL_LENGTH = 32;
    private static final Set<String> RESERVED = Set.of("<pad>", "<s>", "</s>", "<unk>");

    private Arpabet() {
    }

    public static boolean isSymbol(String token) {
        return SYMBOL.matcher(token).matches();
    }

    /**
     * A symbol of any phoneme inventory (IPA, X-SAMPA, tone digits, multi-character symbols): at most
     * {@link #MAX_SYMBOL_LENGTH} characters, none of them whitespace, control, format or the replacement
     * character (a file that was not UTF-8), and not one of the models' reserved symbols.
     */
    public static boolean isAnySymbol(String token) {
        if (token.isEmpty() || token.length() > MAX_SYMBOL_LENGTH || RESERVED.contains(token)) {
            return false;
        }
        return token.codePoints().noneMatch(cp -> Character.isWhitespace(cp) || cp == 0xFFFD || cp == '#'
                || Character.getType(cp) == Character.CONTROL || Character.getType(cp) == Character.FORMAT
                || Character.getType(cp) == Character.SURROGATE);
    }

    /**
     * {@code AH0 -> AH}: the stress digit of an ARPAbet vowel is dropped. Every other symbol is
     * returned unchanged (consonants, and symbols of other inventories such as a tone {@code a1} or a
     * digit-only {@code 2}), so stripping never changes the meaning of a non-ARPAbet symbol and never
     * yields an empty one.
     */
    public static String stripStress(String phoneme) {
        int last = phoneme.length() - 1;
        if (last > 0) {
            char c = phoneme.charAt(last);
            if (c >= '0' && c <= '2' && VOWELS.contains(phoneme.substring(0, last))) {
                return phoneme.substring(0, last);
            }
        }
        return phoneme;
    }

    public static List<String> stripStress(List<String> phonemes) {
        List<String> out = new ArrayList<>(phonemes.size());
        for (String p : phonemes) {
            out.add(stripStress(p));
        }
        return List.copyOf(out);
    }
}
