package io.crossmodal.family.seq2seq.onnx;

import io.crossmodal.runtime.onnx.InferenceException;
import io.crossmodal.runtime.onnx.OrtRuntime;
import io.crossmodal.runtime.onnx.OrtTensors;
import io.crossmodal.runtime.onnx.SessionFactory;

import static io.crossmodal.family.seq2seq.onnx.TensorNames.C;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.C_OUT;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.H;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.H_OUT;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.LOGITS;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.LOG_PROBS;
import static io.crossmodal.family.seq2seq.onnx.TensorNames.PREV_TOKEN;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.crossmodal.family.seq2seq.search.PriorStepModel;
import io.crossmodal.family.seq2seq.search.StepOutput;
import java.nio.LongBuffer;
import java.util.Map;
import java.util.Set;

/** {@link PriorStepModel} over the prior step ONNX graph; owns (and closes) its session. */
public final class OrtPrior implements PriorStepModel {

    private static final Set<String> OUTPUTS = Set.of(LOG_PROBS, H_OUT, C_OUT);

    private final OrtSession session;
    private final int vocabSize;
    private final int hiddenSize;

    public OrtPrior(OrtSession session) {
        this.session = session;
        OrtTensors.requireNames("prior step", session.getInputNames(), PREV_TOKEN, H, C);
        OrtTensors.requireNames("prior step", session.getOutputNames(), LOGITS, LOG_PROBS, H_OUT, C_OUT);
        var outs = OrtTensors.outputs(session);
        this.vocabSize = OrtTensors.lastDim(outs, LOG_PROBS);
        this.hiddenSize = OrtTensors.lastDim(outs, H_OUT);
    }

    public static OrtPrior create(SessionFactory factory, byte[] model) {
        return new OrtPrior(factory.create(model));
    }

    public static OrtPrior create(SessionFactory factory, java.nio.file.Path modelFile) {
        return new OrtPrior(factory.create(modelFile));
    }

    @Override
    public StepOutput step(long[] prevTokens, float[][] h, float[][] c) {
        int n = prevTokens.length;
        try (OnnxTensor prev = OnnxTensor.createTensor(OrtRuntime.environment(), LongBuffer.wrap(prevTokens), new long[] {n});
             OnnxTensor hT = OrtTensors.floats(OrtTensors.flatten(h, hiddenSize), n, hiddenSize);
             OnnxTensor cT = OrtTensors.floats(OrtTensors.flatten(c, hiddenSize), n, hiddenSize);
             OrtSession.Result r = session.run(Map.of(PREV_TOKEN, prev, H, hT, C, cT), OUTPUTS)) {
            return new StepOutput(
                    OrtTensors.matrix(OrtTensors.flat(r, LOG_PROBS), 0, n, vocabSize),
                    OrtTensors.matrix(OrtTensors.flat(r, H_OUT), 0, n, hiddenSize),
                    OrtTensors.matrix(OrtTensors.flat(r, C_OUT), 0, n, hiddenSize),
                    null);
        } catch (OrtException e) {
            throw new InferenceException("prior step failed: " + e.getMessage(), e);
        }
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public int hiddenSize() {
        return hiddenSize;
    }

    @Override
    public void close() {
        OrtTensors.close(session);
    }
}
