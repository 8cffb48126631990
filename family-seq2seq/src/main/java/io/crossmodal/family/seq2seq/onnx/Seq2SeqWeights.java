package io.crossmodal.family.seq2seq.onnx;

import io.crossmodal.runtime.onnx.FloatTensor;
import io.crossmodal.runtime.onnx.Linear;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * All parameters of the attention seq2seq model of DESIGN.md, PyTorch layout. The constructor
 * cross-checks every size so a mis-exported tensor fails here, not deep inside ONNX Runtime.
 */
public record Seq2SeqWeights(
        FloatTensor srcEmbed,
        FloatTensor tgtEmbed,
        LstmWeights encFwd,
        LstmWeights encBwd,
        Linear bridgeH,
        Linear bridgeC,
        Linear keyProj,
        LstmWeights dec,
        Linear outProj,
        Linear logits,
        LocationAttention location) {

    /** Plain Luong attention (no location term). */
    public Seq2SeqWeights(FloatTensor srcEmbed, FloatTensor tgtEmbed, LstmWeights encFwd, LstmWeights encBwd,
            Linear bridgeH, Linear bridgeC, Linear keyProj, LstmWeights dec, Linear outProj, Linear logits) {
        this(srcEmbed, tgtEmbed, encFwd, encBwd, bridgeH, bridgeC, keyProj, dec, outProj, logits, null);
    }

    public Seq2SeqWeights {
        Objects.requireNonNull(srcEmbed, "srcEmbed");
        Objects.requireNonNull(tgtEmbed, "tgtEmbed");
        Objects.requireNonNull(encFwd, "encFwd");
        Objects.requireNonNull(encBwd, "encBwd");
        Objects.requireNonNull(bridgeH, "bridgeH");
        Objects.requireNonNull(bridgeC, "bridgeC");
        Objects.requireNonNull(keyProj, "keyProj");
        Objects.requireNonNull(dec, "dec");
        Objects.requireNonNull(outProj, "outProj");
        Objects.requireNonNull(logits, "logits");
        if (srcEmbed.rank() != 2 || tgtEmbed.rank() != 2) {
            throw new IllegalArgumentException("embeddings must be 2-D");
        }
        int e = srcEmbed.dim(1);
        int he = encFwd.hiddenSize();
        int hd = dec.hiddenSize();
        int vt = tgtEmbed.dim(0);
        check(tgtEmbed.dim(1) == e, "tgtEmbed width " + tgtEmbed.dim(1) + " != srcEmbed width " + e);
        check(encFwd.inputSize() == e, "encFwd input " + encFwd.inputSize() + " != E " + e);
        check(encBwd.inputSize() == e && encBwd.hiddenSize() == he, "encBwd must be (E=" + e + ", He=" + he + ")");
        checkLinear("bridgeH", bridgeH, 2 * he, hd);
        checkLinear("bridgeC", bridgeC, 2 * he, hd);
        checkLinear("keyProj", keyProj, 2 * he, hd);
        check(!keyProj.hasBias(), "keyProj has no bias in this architecture");
        check(dec.inputSize() == e, "dec input " + dec.inputSize() + " != E " + e);
        checkLinear("outProj", outProj, hd + 2 * he, hd);
        checkLinear("logits", logits, hd, vt);
    }

    private static void checkLinear(String name, Linear l, int in, int out) {
        check(l.inFeatures() == in && l.outFeatures() == out,
                name + " must map " + in + " -> " + out + " but maps " + l.inFeatures() + " -> " + l.outFeatures());
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public int srcVocabSize() {
        return srcEmbed.dim(0);
    }

    public int tgtVocabSize() {
        return tgtEmbed.dim(0);
    }

    public int embedSize() {
        return srcEmbed.dim(1);
    }

    public int encoderHidden() {
        return encFwd.hiddenSize();
    }

    public int decoderHidden() {
        return dec.hiddenSize();
    }

    /** Width of one memory vector, 2He (forward and backward states concatenated). */
    public int memorySize() {
        return 2 * encoderHidden();
    }

    /** Whether the attention has the monotonic location term ({@link LocationAttention}). */
    public boolean locationAware() {
        return location != null;
    }

    /**
     * Width of the decoder's cell-state vector as the graphs and the search carry it: Hd, plus one
     * for the attention focus when {@link #locationAware()}.
     */
    public int stateC() {
        return decoderHidden() + (locationAware() ? 1 : 0);
    }

    /** The same weights with a location term (or without, for {@code null}). */
    public Seq2SeqWeights withLocation(LocationAttention loc) {
        return new Seq2SeqWeights(srcEmbed, tgtEmbed, encFwd, encBwd, bridgeH, bridgeC, keyProj, dec, outProj, logits, loc);
    }

    /** Sizes as written into the bundle manifest. */
    public Map<String, Integer> sizes() {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("src_vocab", srcVocabSize());
        m.put("tgt_vocab", tgtVocabSize());
        m.put("embed", embedSize());
        m.put("enc_hidden", encoderHidden());
        m.put("dec_hidden", decoderHidden());
        m.put("memory", memorySize());
        m.put("location_attention", locationAware() ? 1 : 0);
        return m;
    }

    /** Random weights for tests; embeddings ~ U(-1, 1), the rest PyTorch-style. */
    public static Seq2SeqWeights random(int srcVocab, int tgtVocab, int embed, int encHidden, int decHidden, long seed) {
        Random rng = new Random(seed);
        return new Seq2SeqWeights(
                FloatTensor.uniform(rng, 1f, srcVocab, embed),
                FloatTensor.uniform(rng, 1f, tgtVocab, embed),
                LstmWeights.random(embed, encHidden, rng),
                LstmWeights.random(embed, encHidden, rng),
                Linear.random(2 * encHidden, decHidden, true, rng),
                Linear.random(2 * encHidden, decHidden, true, rng),
                Linear.random(2 * encHidden, decHidden, false, rng),
                LstmWeights.random(embed, decHidden, rng),
                Linear.random(decHidden + 2 * encHidden, decHidden, true, rng),
                Linear.random(decHidden, tgtVocab, true, rng));
    }
}
