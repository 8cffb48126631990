package io.crossmodal.family.seq2seq.onnx;

import io.crossmodal.runtime.onnx.FloatTensor;
import io.crossmodal.runtime.onnx.Linear;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/** The character-LSTM prior p(y): {@code embed} [V, E], LSTM (E -> Hp), {@code logits} (Hp -> V). */
public record PriorWeights(FloatTensor embed, LstmWeights lstm, Linear logits) {

    public PriorWeights {
        Objects.requireNonNull(embed, "embed");
        Objects.requireNonNull(lstm, "lstm");
        Objects.requireNonNull(logits, "logits");
        if (embed.rank() != 2) {
            throw new IllegalArgumentException("embed must be [V, E], got " + embed);
        }
        if (lstm.inputSize() != embed.dim(1)) {
            throw new IllegalArgumentException("lstm input " + lstm.inputSize() + " != E " + embed.dim(1));
        }
        if (logits.inFeatures() != lstm.hiddenSize() || logits.outFeatures() != embed.dim(0)) {
            throw new IllegalArgumentException("logits must map Hp=" + lstm.hiddenSize() + " -> V=" + embed.dim(0));
        }
    }

    public int vocabSize() {
        return embed.dim(0);
    }

    public int embedSize() {
        return embed.dim(1);
    }

    public int hiddenSize() {
        return lstm.hiddenSize();
    }

    public Map<String, Integer> sizes() {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("vocab", vocabSize());
        m.put("embed", embedSize());
        m.put("hidden", hiddenSize());
        return m;
    }

    public static PriorWeights random(int vocab, int embed, int hidden, long seed) {
        Random rng = new Random(seed);
        return new PriorWeights(
                FloatTensor.uniform(rng, 1f, vocab, embed),
                LstmWeights.random(embed, hidden, rng),
                Linear.random(hidden, vocab, true, rng));
    }
}
