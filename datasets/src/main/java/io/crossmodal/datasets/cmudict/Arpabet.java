package io.crossmodal.datasets.cmudict;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** ARPAbet symbol checks shared by the parsers and the splitter. */
public final class Arpabet {
    // Upper-case letters plus an optional CMUdict stress digit; deliberately loose about the
    // letters so dictionaries with extra symbols still load, strict enough to catch garbage.
    private static final Pattern SYMBOL = Pattern.compile("[A-Z]+[0-2]?");

    private Arpabet() {
    }

    public static boolean isSymbol(String token) {
        return SYMBOL.matcher(token).matches();
    }

    /** {@code AH0 -> AH}; symbols without a stress digit are returned unchanged. */
    public static String stripStress(String phoneme) {
        int last = phoneme.length() - 1;
        if (last > 0) {
            char c = phoneme.charAt(last);
            if (c >= '0' && c <= '2') {
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
