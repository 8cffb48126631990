package io.crossmodal.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.NDArrays;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.recurrent.LSTM;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import io.crossmodal.family.seq2seq.onnx.LocationAttention;
import io.crossmodal.trainer.train.Scalars;
import ai.djl.util.PairList;

/**
 * Attention sequence-to-sequence model (docs/DESIGN.md): bidirectional LSTM encoder that is
 * independent of padding, Luong "general" attention over a teacher-forced LSTM decoder, optionally
 * with the location term of {@link LocationAttention} (a Gaussian window around the previous
 * focus moved forward by a learned shift, with learned sharpness), which favours monotonic, local
 * alignments. The focus is carried as the last element of the cell state, so every search treats
 * the state as an opaque vector.
 *
 * <p>{@link #forward} takes the inputs of {@link Seq2SeqBatch#toList()} and returns
 * (training loss, per-sequence NLL [B], token count), so one DJL trainer step is one call. The
 * training loss is the summed token NLL, or with {@link #regularise label smoothing} while training
 * {@code (1 - eps) NLL + eps * mean over the vocabulary of -log p}; the per-sequence NLL is always
 * the plain one (the noisy channel's scores and the dev metric read it).
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
    /** Location term, softplus-parametrised; null with plain attention. */
    final Parameter locShift;
    final Parameter locSharpness;

    /** Initial effective shift (one source symbol per output symbol) and sharpness. */
    static final float INIT_SHIFT = 1f;
    static final float INIT_SHARPNESS = 0.3f;

    /** Training-only regularisation; the exported graph and every search are unaffected. */
    private float labelSmoothing;
    private float dropout;

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
        if (spec.locationAttention()) {
            locShift = addParameter(scalar("loc_shift", inverseSoftplus(INIT_SHIFT)));
            locSharpness = addParameter(scalar("loc_sharpness", inverseSoftplus(INIT_SHARPNESS)));
        } else {
            locShift = null;
            locSharpness = null;
        }
    }

    private static Parameter scalar(String name, float value) {
        Parameter p = Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).optShape(new Shape(1)).build();
        p.setInitializer(new ConstantInitializer(value));
        return p;
    }

    static float inverseSoftplus(float y) {
        return (float) Math.log(Math.expm1(y));
    }

    /** The learned location term as effective values (null with plain attention). */
    public LocationAttention location() {
        if (locShift == null) {
            return null;
        }
        float shift = softplus(locShift.getArray().toFloatArray()[0]);
        float sharp = softplus(locSharpness.getArray().toFloatArray()[0]);
        return new LocationAttention(shift, sharp);
    }

    private static float softplus(float x) {
        return (float) (x > 20 ? x : Math.log1p(Math.exp(x)));
    }

    /**
     * Turns on training-time regularisation: label smoothing {@code eps} of the loss and inverted
     * dropout at {@code rate} on the source and target embeddings, the encoder states and the
     * attention output (the usual places for an attention LSTM). Off (0, 0) by default. Dropout
     * masks come from the engine's generator (seeded per component by the job), which a checkpoint
     * does not hold: a resumed run with dropout is not bit-identical to an uninterrupted one.
     */
    public Seq2SeqBlock regularise(float eps, float rate) {
        if (!(eps >= 0 && eps < 0.5f) || !(rate >= 0 && rate < 0.9f)) {
            throw new IllegalArgumentException("need 0 <= labelSmoothing < 0.5 and 0 <= dropout < 0.9, got " + eps + ", " + rate);
        }
        this.labelSmoothing = eps;
        this.dropout = rate;
        return this;
    }

    private NDArray drop(NDArray x, boolean training) {
        return training && dropout > 0 ? Dropout.dropout(x, dropout, true).head() : x;
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
        NDArray emb = drop(Layers.embed(ps, tgtEmbed, tgtIn, training), training);
        NDList decOut = Layers.runLstm(dec, ps, emb, enc.initH(), cell(enc.initC()), training);
        NDArray logProbs = attendAndProject(ps, decOut.get(0), enc, focus(enc.initC()), training).get(0).logSoftmax(2);
        NDArray tokenLogp = logProbs.gather(tgtOut.expandDims(2), 2).squeeze(2).mul(tgtMask);
        NDArray seqNll = tokenLogp.sum(new int[] {1}).neg();
        NDArray loss = seqNll.sum();
        if (training && labelSmoothing > 0) {
            NDArray uniform = logProbs.mean(new int[] {2}).mul(tgtMask).sum().neg();
            loss = Scalars.mul(loss, 1.0 - labelSmoothing).add(Scalars.mul(uniform, labelSmoothing));
        }
        return new NDList(loss, seqNll, tgtMask.sum());
    }

    /** The LSTM part of a carried cell state [N, stateC]. */
    private NDArray cell(NDArray c) {
        return spec.locationAttention() ? c.get(":, :" + spec.decHidden()) : c;
    }

    /** The attention focus part of a carried cell state, [N, 1] (null with plain attention). */
    private NDArray focus(NDArray c) {
        return spec.locationAttention() ? c.get(":, " + spec.decHidden() + ":") : null;
    }

    /** Encodes a padded batch: tokens [B,T] int64, reverse index [B,T] int64, mask [B,T] float. */
    public Encoded encode(ParameterStore ps, NDArray tokens, NDArray reverseIndex, NDArray mask, boolean training) {
        NDArray emb = drop(Layers.embed(ps, srcEmbed, tokens, training), training);
        NDArray fwd = Layers.runLstm(encFwd, ps, emb, null, null, training).get(0);
        // Per-sequence reversal keeps padding at the end, so the backward direction starts at the
        // last real symbol, as the ONNX LSTM op does with sequence_lens.
        NDArray embIdx = reverseIndex.expandDims(2).repeat(2, spec.embed());
        NDArray bwdRev = Layers.runLstm(encBwd, ps, emb.gather(embIdx, 1), null, null, training).get(0);
        NDArray hidIdx = reverseIndex.expandDims(2).repeat(2, spec.encHidden());
        NDArray bwd = bwdRev.gather(hidIdx, 1);
        NDArray mask3 = mask.expandDims(2);
        NDArray memory = drop(fwd.concat(bwd, 2), training).mul(mask3);
        NDArray mean = memory.sum(new int[] {1}).div(mask.sum(new int[] {1}, true));
        NDArray initH = Layers.apply(bridgeH, ps, mean, training).tanh();
        NDArray initC = Layers.apply(bridgeC, ps, mean, training).tanh();
        if (spec.locationAttention()) {
            NDArray p0 = initC.get(":, :1").zerosLike().add(LocationAttention.INITIAL_FOCUS);
            initC = initC.concat(p0, 1);
        }
        NDArray keys = Layers.apply(keyProj, ps, memory, training);
        return new Encoded(memory, keys, mask, initH, initC);
    }

    /**
     * Attention + output layer for decoder states h [B,U,Hd] against the encoded batch, starting
     * from attention focus {@code p0} [B,1] (ignored with plain attention); returns (logits
     * [B,U,V], last focus [B,1] or null).
     */
    NDList attendAndProject(ParameterStore ps, NDArray h, Encoded enc, NDArray p0, boolean training) {
        NDArray scores = h.batchMatMul(enc.keys().transpose(0, 2, 1));
        // (mask - 1) * 1e9: zero on real positions, -1e9 on padding
        NDArray bias = enc.mask().expandDims(1).sub(1f).mul(MASK_SCALE);
        NDArray masked = scores.add(bias);
        NDArray attn;
        NDArray focus = null;
        if (spec.locationAttention()) {
            // sequential over output positions: each step's window is centred on the previous focus
            NDArray shift = Activation.softPlus(ps.getValue(locShift, h.getDevice(), training));
            NDArray sharp = Activation.softPlus(ps.getValue(locSharpness, h.getDevice(), training));
            NDList r = locationAttention(masked, p0, shift, sharp, true);
            attn = r.get(0);
            focus = r.get(1);
        } else {
            attn = masked.softmax(2);
        }
        NDArray ctx = attn.batchMatMul(enc.memory());
        NDArray o = drop(Layers.apply(outProj, ps, h.concat(ctx, 2), training).tanh(), training);
        NDArray out = Layers.apply(logits, ps, o, training);
        return focus == null ? new NDList(out) : new NDList(out, focus);
    }

    /**
     * The location-aware attention over content scores {@code masked} [B,U,T] (padding already at
     * -1e9), sequential over the U output positions: {@code a_t = softmax(masked_t - κ (s - p_{t-1} - δ)²)},
     * {@code p_t = Σ_s a_t(s) s}, from focus {@code p0} [B,1]. Returns (attention [B,U,T], last focus [B,1]).
     *
     * <p>With {@code stopFocusGradient} the previous focus enters each step as a constant for the
     * gradient (its value, and so the forward pass and the exported graph, are unchanged). The
     * derivative of a focus with respect to the previous one is {@code 2κ · Var_{a_t}(s)}; through the
     * full recursion the gradient of an early step is the product of these factors over all later
     * steps, which can exceed float32 where the window and the content disagree (mass split between
     * far-apart positions) for many steps in a row (docs/NOISY_CHANNEL.md, "non-finite gradients").
     * κ and δ keep their direct gradient at every step.
     */
    static NDList locationAttention(NDArray masked, NDArray p0, NDArray shift, NDArray sharp, boolean stopFocusGradient) {
        long t = masked.getShape().get(2);
        NDArray pos = masked.getManager().arange(0f, (float) t).expandDims(0); // [1, T]
        long u = masked.getShape().get(1);
        NDList steps = new NDList((int) u);
        NDArray focus = p0;
        for (long i = 0; i < u; i++) {
            NDArray prev = stopFocusGradient ? focus.stopGradient() : focus;
            NDArray d = pos.sub(prev.add(shift)); // [B, T]
            NDArray a = masked.get(":, " + i + ", :").sub(d.square().mul(sharp)).softmax(1);
            focus = a.mul(pos).sum(new int[] {1}, true);
            steps.add(a);
        }
        return new NDList(NDArrays.stack(steps, 1), focus);
    }

    /**
     * One decoder step for N hypotheses: prev [N] int64, h [N,Hd], c [N,stateC], and the encoded
     * rows for each hypothesis (memory [N,T,2He], keys [N,T,Hd], mask [N,T]). Returns (logits
     * [N,V], h, c).
     */
    public NDList step(ParameterStore ps, NDArray prev, NDArray h, NDArray c, Encoded rows) {
        NDArray emb = Layers.embed(ps, tgtEmbed, prev.expandDims(1), false);
        NDList out = Layers.runLstm(dec, ps, emb, h, cell(c), false);
        NDList att = attendAndProject(ps, out.get(0), rows, focus(c), false);
        NDArray lg = att.get(0).squeeze(1);
        NDArray cOut = spec.locationAttention() ? out.get(2).concat(att.get(1), 1) : out.get(2);
        return new NDList(lg, out.get(1), cOut);
    }

    /** Encoder outputs for a batch (docs/DESIGN.md names). */
    public record Encoded(NDArray memory, NDArray keys, NDArray mask, NDArray initH, NDArray initC) {}
}
