package io.crossmodal.family.seq2seq.serving;

import java.util.List;

/** One output sequence as symbols, with its total log-probability ({@code </s>} included). */
public record ScoredSequence(List<String> symbols, double logProb) {

    public ScoredSequence {
        symbols = List.copyOf(symbols);
    }
}
