package io.crossmodal.family.vqvae.testing;


import io.crossmodal.family.pvae.testing.SpeechServiceContract;
import io.crossmodal.family.vqvae.model.VqvaeWeights;
import io.crossmodal.family.vqvae.onnx.OrtVqvae;
import io.crossmodal.family.vqvae.onnx.VqvaeGraphs;
import io.crossmodal.features.audio.AudioLimits;
import io.crossmodal.features.audio.FbankConfig;
import io.crossmodal.features.audio.SpeechFeatures;
import io.crossmodal.proto.common.v1.FrameSequence;
import io.crossmodal.runtime.onnx.SessionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * A service serving {@link VqvaeRegistryResource}'s bundles: the shared fixture (the same graphs run directly, the
 * front end with the model's mel bins), the bad speech of every speech service ({@link SpeechServiceContract}: the
 * Encoder's input, the Decoder's voice-conversion content) and frames of the wrong width. Each is INVALID_ARGUMENT
 * whose message says what is wrong, and the service keeps serving. A subclass ({@code @QuarkusTest
 * @WithTestResource(VqvaeRegistryResource.class)}) says how its service carries each input.
 */
public abstract class VqvaeServiceContract extends SpeechServiceContract {

    /** The services' front end for the tiny models (their mel bins, the shared defaults otherwise). */
    public static final SpeechFeatures FEATURES = new SpeechFeatures(new FbankConfig(TinyVqvae.MEL, FbankConfig.DEFAULT.windowMs(),
            FbankConfig.DEFAULT.hopMs(), FbankConfig.DEFAULT.fMinHz(), FbankConfig.DEFAULT.fMaxHz(), FbankConfig.DEFAULT.trimDb()),
            AudioLimits.DEFAULT, TinyVqvae.FRAMES);

    /** The weights of the served {@code units} bundle. */
    protected static VqvaeWeights weights;

    /** The same graphs as the served {@code units} bundle, run directly: what the service must answer. */
    protected static OrtVqvae direct;

    @BeforeAll
    static void graphs() {
        weights = VqvaeRegistryResource.unitsWeights();
        direct = new OrtVqvae(SessionFactory.cpu(), VqvaeGraphs.build(weights), TinyVqvae.MEL, TinyVqvae.DIM, weights.stateSize(),
                TinyVqvae.DOWN);
    }

    @AfterAll
    static void closeGraphs() {
        direct.close();
    }

    /** Sends speech as log-mel frames. */
    protected abstract void sendFrames(String model, FrameSequence frames);

    @Override
    protected String speechModel() {
        return VqvaeRegistryResource.UNITS;
    }

    /** Frames of the wrong width. */
    @Override
    protected void moreBadSpeech() {
        FrameSequence.Builder wide = FrameSequence.newBuilder().setFrameDim(TinyVqvae.MEL + 1);
        wide.addAllValues(java.util.Collections.nCopies(3 * (TinyVqvae.MEL + 1), 0f));
        rejects(() -> sendFrames(speechModel(), wide.build()), "frame_dim is " + (TinyVqvae.MEL + 1) + ", the model takes "
                + TinyVqvae.MEL);
    }

    /** Log-mel frames as a FrameSequence. */
    public static FrameSequence frames(float[][] logMel) {
        FrameSequence.Builder f = FrameSequence.newBuilder().setFrameDim(logMel[0].length);
        for (float[] row : logMel) {
            for (float v : row) {
                f.addValues(v);
            }
        }
        return f.build();
    }
}
