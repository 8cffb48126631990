package io.crossmodal.family.seq2seq.onnx;

import io.crossmodal.runtime.onnx.OrtRunControl;
import io.crossmodal.runtime.onnx.InferenceException;
import io.crossmodal.runtime.onnx.OrtRuntime;
import io.crossmodal.runtime.onnx.OrtTensors;
import io.crossmodal.runtime.onnx.SessionFactory;

import static io.crossmodal.family.seq2seq.onnx.TensorNames.ATTENTION;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.C;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.C_OUT;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.H;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.H_OUT;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.INIT_C;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.INIT_H;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.KEYS;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.LENGTHS;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.LOGITS;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.LOG_PROBS;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.MASK;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.MEMORY;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.PREV_TOKEN;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.TOKENS;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.crossmodal.family.seq2seq.search.Encoded;
import io.crossmodal.runtime.control.RunCancelledException;
import io.crossmodal.runtime.control.RunControl;
import io.crossmodal.family.seq2seq.search.SourceEncoding;
import io.crossmodal.family.seq2seq.search.StepModel;
import io.crossmodal.family.seq2seq.search.StepOutput;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link StepModel} over the encoder and decoder-step ONNX graphs. Each step re-pads the memory of
 * the source rows in play to their longest length, so the work shrinks as long sources finish.
 * Sessions are owned (closed by {@link #close()}); {@code OrtSession.run} is thread-safe, so one
 * instance may serve concurrent requests.
 *
 * <p>Under a {@link RunControl} that carries {@link OrtSession.RunOptions} (an {@link OrtRunControl})
 * every run uses those options, so cancelling the control terminates a run in progress; a run that
 * fails after the control was cancelled surfaces as {@link RunCancelledException}. Every tensor
 * and result is closed on every path (try-with-resources).
 */
public final class OrtSeq2Seq implements StepModel {

    private static final Set<String> STEP_OUTPUTS = Set.of(LOG_PROBS, H_OUT, C_OUT, ATTENTION);

    private final OrtSession encoder;
    private final OrtSession decoder;
    private final int vocabSize;
    private final int memorySize;
    private final int decoderHidden;
    /** Width of the carried cell state: Hd, or Hd + 1 with location-aware attention. */
    private final int stateC;

    /** Takes ownership of both sessions; checks they expose the DESIGN.md tensor names. */
    public OrtSeq2Seq(OrtSession encoder, OrtSession decoderStep) {
        this.encoder = encoder;
        this.decoder = decoderStep;
        OrtTensors.requireNames("encoder", encoder.getInputNames(), TOKENS, LENGTHS);
        OrtTensors.requireNames("encoder", encoder.getOutputNames(), MEMORY, KEYS, INIT_H, INIT_C);
        OrtTensors.requireNames("decoder step", decoderStep.getInputNames(), PREV_TOKEN, H, C, MEMORY, KEYS, MASK);
        OrtTensors.requireNames("decoder step", decoderStep.getOutputNames(), LOGITS, LOG_PROBS, H_OUT, C_OUT, ATTENTION);
        var outs = OrtTensors.outputs(decoderStep);
        this.vocabSize = OrtTensors.lastDim(outs, LOG_PROBS);
        this.decoderHidden = OrtTensors.lastDim(outs, H_OUT);
        this.stateC = OrtTensors.lastDim(outs, C_OUT);
        this.memorySize = OrtTensors.lastDim(OrtTensors.inputs(decoderStep), MEMORY);
    }

    /** Builds both sessions from serialized graphs; closes the first if the second fails. */
    public static OrtSeq2Seq create(SessionFactory factory, byte[] encoderModel, byte[] decoderStepModel) {
        OrtSession enc = factory.create(encoderModel);
        try {
            return new OrtSeq2Seq(enc, factory.create(decoderStepModel));
        } catch (RuntimeException e) {
            OrtTensors.close(enc);
            throw e;
        }
    }

    public static OrtSeq2Seq create(SessionFactory factory, java.nio.file.Path encoderFile, java.nio.file.Path decoderStepFile) {
        OrtSession enc = factory.create(encoderFile);
        try {
            return new OrtSeq2Seq(enc, factory.create(decoderStepFile));
        } catch (RuntimeException e) {
            OrtTensors.close(enc);
            throw e;
        }
    }

    @Override
    public Encoded encode(long[][] tokens) {
        return encode(tokens, RunControl.NONE);
    }

    @Override
    public Encoded encode(long[][] tokens, RunControl control) {
        control.checkCancelled();
        int b = tokens.length;
        int t = 0;
        for (int i = 0; i < b; i++) {
            if (tokens[i].length == 0) {
                throw new IllegalArgumentException("source row " + i + " is empty");
            }
            t = Math.max(t, tokens[i].length);
        }
        long[] padded = new long[b * t];
        int[] lengths = new int[b];
        for (int i = 0; i < b; i++) {
            System.arraycopy(tokens[i], 0, padded, i * t, tokens[i].length);
            lengths[i] = tokens[i].length;
        }
        var env = OrtRuntime.environment();
        try (OnnxTensor tok = OnnxTensor.createTensor(env, LongBuffer.wrap(padded), new long[] {b, t});
             OnnxTensor len = OnnxTensor.createTensor(env, IntBuffer.wrap(lengths), new long[] {b});
             OrtSession.Result r = run(encoder, Map.of(TOKENS, tok, LENGTHS, len), null, control)) {
            float[] memory = OrtTensors.flat(r, MEMORY);
            float[] keys = OrtTensors.flat(r, KEYS);
            float[] initH = OrtTensors.flat(r, INIT_H);
            float[] initC = OrtTensors.flat(r, INIT_C);
            List<SourceEncoding> rows = new ArrayList<>(b);
            for (int i = 0; i < b; i++) {
                rows.add(new SourceEncoding(
                        OrtTensors.matrix(memory, i * t * memorySize, lengths[i], memorySize),
                        OrtTensors.matrix(keys, i * t * decoderHidden, lengths[i], decoderHidden),
                        Arrays.copyOfRange(initH, i * decoderHidden, (i + 1) * decoderHidden),
                        Arrays.copyOfRange(initC, i * stateC, (i + 1) * stateC)));
            }
            return new Encoded(rows);
        } catch (OrtException e) {
            throw failure("encoder run", e, control);
        }
    }

    @Override
    public StepOutput step(Encoded enc, int[] sourceRow, long[] prevTokens, float[][] h, float[][] c) {
        return step(enc, sourceRow, prevTokens, h, c, RunControl.NONE);
    }

    @Override
    public StepOutput step(Encoded enc, int[] sourceRow, long[] prevTokens, float[][] h, float[][] c,
            RunControl control) {
        control.checkCancelled();
        int n = sourceRow.length;
        int t = enc.maxLength(sourceRow);
        float[] memory = new float[n * t * memorySize];
        float[] keys = new float[n * t * decoderHidden];
        float[] mask = new float[n * t];
        for (int i = 0; i < n; i++) {
            SourceEncoding src = enc.row(sourceRow[i]);
            for (int s = 0; s < src.length(); s++) {
                System.arraycopy(src.memory()[s], 0, memory, (i * t + s) * memorySize, memorySize);
                System.arraycopy(src.keys()[s], 0, keys, (i * t + s) * decoderHidden, decoderHidden);
                mask[i * t + s] = 1f;
            }
        }
        var env = OrtRuntime.environment();
        try (OnnxTensor prev = OnnxTensor.createTensor(env, LongBuffer.wrap(prevTokens), new long[] {n});
             OnnxTensor hT = OrtTensors.floats(OrtTensors.flatten(h, decoderHidden), n, decoderHidden);
             OnnxTensor cT = OrtTensors.floats(OrtTensors.flatten(c, stateC), n, stateC);
             OnnxTensor memT = OrtTensors.floats(memory, n, t, memorySize);
             OnnxTensor keyT = OrtTensors.floats(keys, n, t, decoderHidden);
             OnnxTensor maskT = OrtTensors.floats(mask, n, t);
             OrtSession.Result r = run(decoder,
                     Map.of(PREV_TOKEN, prev, H, hT, C, cT, MEMORY, memT, KEYS, keyT, MASK, maskT), STEP_OUTPUTS, control)) {
            float[][] attention = OrtTensors.matrix(OrtTensors.flat(r, ATTENTION), 0, n, t);
            for (int i = 0; i < n; i++) {
                attention[i] = Arrays.copyOf(attention[i], enc.row(sourceRow[i]).length());
            }
            return new StepOutput(
                    OrtTensors.matrix(OrtTensors.flat(r, LOG_PROBS), 0, n, vocabSize),
                    OrtTensors.matrix(OrtTensors.flat(r, H_OUT), 0, n, decoderHidden),
                    OrtTensors.matrix(OrtTensors.flat(r, C_OUT), 0, n, stateC),
                    attention);
        } catch (OrtException e) {
            throw failure("decoder step", e, control);
        }
    }

    /** Runs a session with the control's run options, if it has any. */
    private static OrtSession.Result run(OrtSession session, Map<String, OnnxTensor> inputs, Set<String> outputs,
            RunControl control) throws OrtException {
        OrtSession.RunOptions options = control.unwrap(OrtSession.RunOptions.class);
        if (options == null) {
            return outputs == null ? session.run(inputs) : session.run(inputs, outputs);
        }
        return outputs == null ? session.run(inputs, options) : session.run(inputs, outputs, options);
    }

    /** A failed run: cancelled if the control was (the terminate flag makes the run fail), else an inference failure. */
    private static RuntimeException failure(String what, OrtException e, RunControl control) {
        if (control.isCancelled()) {
            return new RunCancelledException(what + " terminated: search cancelled", e);
        }
        return new InferenceException(what + " failed: " + e.getMessage(), e);
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    public int decoderHidden() {
        return decoderHidden;
    }

    public int memorySize() {
        return memorySize;
    }

    @Override
    public void close() {
        OrtTensors.close(encoder, decoder);
    }
}
