package io.crossmodal.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.recurrent.LSTM;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Attention sequence-to-sequence model (docs/DESIGN.md): bidirectional LSTM encoder that is
 * independent of padding, Luong "general" attention over a teacher-forced LSTM decoder.
 *
 * <p>{@link #forward} takes the inputs of {@link Seq2SeqBatch#toList()} and returns
 * (summed token NLL, per-sequence NLL [B], token count), so one DJL trainer step is one call.
 */
public final class Seq2SeqBlock extends AbstractBlock {
    private static final float MASK_SCALE = 1e9f;

    private final Seq2SeqSpec spec;
    final Parameter srcEmbed;
    final Parameter tgtEmbed;
    final LSTM encFwd;
    final LSTM encBwd;
    final Linear bridgeH;
    final Linear bridgeC;
    final Linear keyProj;
    final LSTM dec;
    final Linear outProj;
    final Linear logits;

    public Seq2SeqBlock(Seq2SeqSpec spec) {
        this.spec = spec;
        int e = spec.embed();
        int he = spec.encHidden();
        int hd = spec.decHidden();
        srcEmbed = addParameter(Layers.embedding("src_embed", spec.srcVocab(), e));
        tgtEmbed = addParameter(Layers.embedding("tgt_embed", spec.tgtVocab(), e));
        encFwd = addChildBlock("enc_fwd", Layers.lstm(he));
        encBwd = addChildBlock("enc_bwd", Layers.lstm(he));
        bridgeH = addChildBlock("bridge_h", Layers.linear(2 * he, hd, true));
        bridgeC = addChildBlock("bridge_c", Layers.linear(2 * he, hd, true));
        keyProj = addChildBlock("key_proj", Layers.linear(2 * he, hd, false));
        dec = addChildBlock("dec", Layers.lstm(hd));
        outProj = addChildBlock("out_proj", Layers.linear(hd + 2 * he, hd, true));
        logits = addChildBlock("logits", Layers.linear(hd, spec.tgtVocab(), true));
    }

    public Seq2SeqSpec spec() {
        return spec;
    }

    /** Initialises every parameter for this model's sizes (the shapes below are only for shape inference). */
    public void initializeAll(NDManager manager) {
        initialize(manager, DataType.FLOAT32, new Shape(1, 1));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        int e = spec.embed();
        int he = spec.encHidden();
        int hd = spec.decHidden();
        encFwd.initialize(manager, dataType, new Shape(1, 1, e));
        encBwd.initialize(manager, dataType, new Shape(1, 1, e));
        bridgeH.initialize(manager, dataType, new Shape(1, 2L * he));
        bridgeC.initialize(manager, dataType, new Shape(1, 2L * he));
        keyProj.initialize(manager, dataType, new Shape(1, 2L * he));
        dec.initialize(manager, dataType, new Shape(1, 1, e));
        outProj.initialize(manager, dataType, new Shape(1, hd + 2L * he));
        logits.initialize(manager, dataType, new Shape(1, hd));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(), new Shape(inputShapes[0].get(0)), new Shape()};
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        Encoded enc = encode(ps, in.get(0), in.get(1), in.get(2), training);
        NDArray tgtIn = in.get(3);
        NDArray tgtOut = in.get(4);
        NDArray tgtMask = in.get(5);
        NDArray emb = Layers.embed(ps, tgtEmbed, tgtIn, training);
        NDList decOut = Layers.runLstm(dec, ps, emb, enc.initH(), enc.initC(), training);
        NDArray logProbs = attendAndProject(ps, decOut.get(0), enc, training).logSoftmax(2);
        NDArray tokenLogp = logProbs.gather(tgtOut.expandDims(2), 2).squeeze(2).mul(tgtMask);
        NDArray seqNll = tokenLogp.sum(new int[] {1}).neg();
        return new NDList(seqNll.sum(), seqNll, tgtMask.sum());
    }

    /** Encodes a padded batch: tokens [B,T] int64, reverse index [B,T] int64, mask [B,T] float. */
    public Encoded encode(ParameterStore ps, NDArray tokens, NDArray reverseIndex, NDArray mask, boolean training) {
        NDArray emb = Layers.embed(ps, srcEmbed, tokens, training);
        NDArray fwd = Layers.runLstm(encFwd, ps, emb, null, null, training).get(0);
        // Per-sequence reversal keeps padding at the end, so the backward direction starts at the
        // last real symbol, as the ONNX LSTM op does with sequence_lens.
        NDArray embIdx = reverseIndex.expandDims(2).repeat(2, spec.embed());
        NDArray bwdRev = Layers.runLstm(encBwd, ps, emb.gather(embIdx, 1), null, null, training).get(0);
        NDArray hidIdx = reverseIndex.expandDims(2).repeat(2, spec.encHidden());
        NDArray bwd = bwdRev.gather(hidIdx, 1);
        NDArray mask3 = mask.expandDims(2);
        NDArray memory = fwd.concat(bwd, 2).mul(mask3);
        NDArray mean = memory.sum(new int[] {1}).div(mask.sum(new int[] {1}, true));
        NDArray initH = Layers.apply(bridgeH, ps, mean, training).tanh();
        NDArray initC = Layers.apply(bridgeC, ps, mean, training).tanh();
        NDArray keys = Layers.apply(keyProj, ps, memory, training);
        return new Encoded(memory, keys, mask, initH, initC);
    }

    /** Attention + output layer for decoder states h [B,U,Hd] against the encoded batch; returns logits [B,U,V]. */
    NDArray attendAndProject(ParameterStore ps, NDArray h, Encoded enc, boolean training) {
        NDArray scores = h.batchMatMul(enc.keys().transpose(0, 2, 1));
        // (mask - 1) * 1e9: zero on real positions, -1e9 on padding
        NDArray bias = enc.mask().expandDims(1).sub(1f).mul(MASK_SCALE);
        NDArray attn = scores.add(bias).softmax(2);
        NDArray ctx = attn.batchMatMul(enc.memory());
        NDArray o = Layers.apply(outProj, ps, h.concat(ctx, 2), training).tanh();
        return Layers.apply(logits, ps, o, training);
    }

    /**
     * One decoder step for N hypotheses: prev [N] int64, h/c [N,Hd], and the encoded rows for
     * each hypothesis (memory [N,T,2He], keys [N,T,Hd], mask [N,T]). Returns (logits [N,V], h, c).
     */
    public NDList step(ParameterStore ps, NDArray prev, NDArray h, NDArray c, Encoded rows) {
        NDArray emb = Layers.embed(ps, tgtEmbed, prev.expandDims(1), false);
        NDList out = Layers.runLstm(dec, ps, emb, h, c, false);
        NDArray lg = attendAndProject(ps, out.get(0), rows, false).squeeze(1);
        return new NDList(lg, out.get(1), out.get(2));
    }

    /** Encoder outputs for a batch (docs/DESIGN.md names). */
    public record Encoded(NDArray memory, NDArray keys, NDArray mask, NDArray initH, NDArray initC) {}
}
