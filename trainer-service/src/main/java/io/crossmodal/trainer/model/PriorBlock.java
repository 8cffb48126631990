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
 * The prior p(y): a character LSTM language model. {@link #forward} takes the target arrays of
 * {@link Seq2SeqBatch#target} and returns (summed NLL, per-sequence NLL [B], token count).
 */
public final class PriorBlock extends AbstractBlock {
    private final int vocab;
    private final int embedDim;
    private final int hidden;
    final Parameter embed;
    final LSTM lstm;
    final Linear logits;

    public PriorBlock(int vocab, int embedDim, int hidden) {
        this.vocab = vocab;
        this.embedDim = embedDim;
        this.hidden = hidden;
        embed = addParameter(Layers.embedding("embed", vocab, embedDim));
        lstm = addChildBlock("lstm", Layers.lstm(hidden));
        logits = addChildBlock("logits", Layers.linear(hidden, vocab, true));
    }

    public int vocab() {
        return vocab;
    }

    public int embedDim() {
        return embedDim;
    }

    public int hidden() {
        return hidden;
    }

    public void initializeAll(NDManager manager) {
        initialize(manager, DataType.FLOAT32, new Shape(1, 1));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        lstm.initialize(manager, dataType, new Shape(1, 1, embedDim));
        logits.initialize(manager, dataType, new Shape(1, hidden));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(), new Shape(inputShapes[0].get(0)), new Shape()};
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        NDArray emb = Layers.embed(ps, embed, in.get(0), training);
        NDArray out = Layers.runLstm(lstm, ps, emb, null, null, training).get(0);
        NDArray logProbs = Layers.apply(logits, ps, out, training).logSoftmax(2);
        NDArray tokenLogp = logProbs.gather(in.get(1).expandDims(2), 2).squeeze(2).mul(in.get(2));
        NDArray seqNll = tokenLogp.sum(new int[] {1}).neg();
        return new NDList(seqNll.sum(), seqNll, in.get(2).sum());
    }

    /** One step for N prefixes: prev [N] int64, h/c [N,H] (null for the start). Returns (logits [N,V], h, c). */
    public NDList step(ParameterStore ps, NDArray prev, NDArray h, NDArray c) {
        NDArray emb = Layers.embed(ps, embed, prev.expandDims(1), false);
        NDList out = Layers.runLstm(lstm, ps, emb, h, c, false);
        NDArray lg = Layers.apply(logits, ps, out.get(0), false).squeeze(1);
        return new NDList(lg, out.get(1), out.get(2));
    }
}
