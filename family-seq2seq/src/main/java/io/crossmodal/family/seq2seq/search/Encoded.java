package io.crossmodal.family.seq2seq.search;

import java.util.List;

/** Encoder output for a batch of sources, one {@link SourceEncoding} per source row. */
public record Encoded(List<SourceEncoding> rows) {

    public Encoded {
        rows = List.copyOf(rows);
    }

    public int batchSize() {
        return rows.size();
    }

    public SourceEncoding row(int i) {
        return rows.get(i);
    }

    /** Longest source among the given rows: the T a padded step batch over them needs. */
    public int maxLength(int[] sourceRows) {
        int t = 0;
        for (int r : sourceRows) {
            t = Math.max(t, rows.get(r).length());
        }
        return t;
    }
}
