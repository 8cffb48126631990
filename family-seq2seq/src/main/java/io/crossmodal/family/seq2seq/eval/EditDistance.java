package io.crossmodal.family.seq2seq.eval;

import java.util.List;

/** Edit distances over symbol sequences (phonemes or graphemes as strings). */
public final class EditDistance {
    private EditDistance() {
    }

    /** Levenshtein distance with unit insert/delete/substitute costs; O(|a||b|) time, O(|b|) space. */
    public static int levenshtein(List<String> a, List<String> b) {
        int[] prev = new int[b.size() + 1];
        int[] cur = new int[b.size() + 1];
        for (int j = 0; j <= b.size(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.size(); i++) {
            cur[0] = i;
            String ai = a.get(i - 1);
            for (int j = 1; j <= b.size(); j++) {
                int sub = prev[j - 1] + (ai.equals(b.get(j - 1)) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.size()];
    }
}
