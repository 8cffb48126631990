package io.crossmodal.family.vqvae.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.family.vqvae.model.VqvaeWeights;
import io.crossmodal.family.vqvae.onnx.OrtVqvae;
import io.crossmodal.family.vqvae.onnx.VqvaeGraphs;
import io.crossmodal.features.audio.AudioLimits;
import io.crossmodal.features.audio.FbankConfig;
import io.crossmodal.features.audio.GriffinLim;
import io.crossmodal.features.audio.SpeechFeatures;
import io.crossmodal.proto.common.v1.Audio;
import io.crossmodal.proto.common.v1.FrameSequence;
import io.crossmodal.runtime.onnx.SessionFactory;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.http.TestHTTPResource;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A service serving {@link VqvaeRegistryResource}'s bundles: the shared fixture (a channel to it, the same graphs
 * run directly, the front end with the model's mel bins) and the bad speech inputs, the same for every service
 * that takes speech (the Encoder's input, the Decoder's voice-conversion content): audio too long, an unsupported
 * sample rate, NaN / infinite / out-of-range samples, no samples, an unreadable WAV file, frames of the wrong
 * width. Each is INVALID_ARGUMENT whose message says what is wrong, and the service keeps serving. A subclass
 * ({@code @QuarkusTest @WithTestResource(VqvaeRegistryResource.class)}) says how its service carries each input.
 */
public abstract class VqvaeServiceContract {

    /** The services' front end for the tiny models (their mel bins, the shared defaults otherwise). */
    public static final SpeechFeatures FEATURES = new SpeechFeatures(new FbankConfig(TinyVqvae.MEL, FbankConfig.DEFAULT.windowMs(),
            FbankConfig.DEFAULT.hopMs(), FbankConfig.DEFAULT.fMinHz(), FbankConfig.DEFAULT.fMaxHz(), FbankConfig.DEFAULT.trimDb()),
            AudioLimits.DEFAULT, TinyVqvae.FRAMES);

    @TestHTTPResource("/")
    protected URL base;

    /** A plaintext channel to the service under test, opened before and closed after each test. */
    protected ManagedChannel channel;

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

    @BeforeEach
    void connect() {
        channel = ManagedChannelBuilder.forAddress(base.getHost(), base.getPort()).usePlaintext().build();
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /** Sends speech as PCM samples to {@code model} in this service's request; a failure is a StatusRuntimeException. */
    protected abstract void sendAudio(String model, Audio audio);

    /** Sends speech as a WAV file's bytes. */
    protected abstract void sendWav(String model, byte[] wav);

    /** Sends speech as log-mel frames. */
    protected abstract void sendFrames(String model, FrameSequence frames);

    /** A valid request to {@code units} is still answered. */
    protected abstract void assertStillServing();

    @Test
    void badSpeechIsInvalidArgumentSayingWhatIsWrong() {
        String m = VqvaeRegistryResource.UNITS;
        rejects(() -> sendAudio(m, audio(8000, TinyVqvae.tone(8000, 2.5, 200))), "audio too long: 2.50 s, the limit is 2.00 s");
        rejects(() -> sendAudio(m, audio(22050, TinyVqvae.tone(22050, 0.3, 200))), "unsupported sample rate 22050 Hz");
        rejects(() -> sendAudio(m, audio(8000, withValue(TinyVqvae.tone(8000, 0.3, 200), 100, Float.NaN))), "audio sample 100 is NaN");
        rejects(() -> sendAudio(m, audio(8000, withValue(TinyVqvae.tone(8000, 0.3, 200), 7, Float.POSITIVE_INFINITY))),
                "audio sample 7 is Infinity");
        rejects(() -> sendAudio(m, audio(16000, withValue(TinyVqvae.tone(16000, 0.3, 200), 9, 3f))), "audio sample 9 is 3.0");
        rejects(() -> sendAudio(m, audio(8000, new float[0])), "audio has no samples");
        rejects(() -> sendWav(m, "RIFF....not really".getBytes(StandardCharsets.US_ASCII)), "not a readable WAV file");
        rejects(() -> sendWav(m, GriffinLim.wav(TinyVqvae.tone(8000, 2.5, 200), 8000)), "2.00 s");
        FrameSequence.Builder wide = FrameSequence.newBuilder().setFrameDim(TinyVqvae.MEL + 1);
        wide.addAllValues(java.util.Collections.nCopies(3 * (TinyVqvae.MEL + 1), 0f));
        rejects(() -> sendFrames(m, wide.build()), "frame_dim is " + (TinyVqvae.MEL + 1) + ", the model takes " + TinyVqvae.MEL);
        assertStillServing();
    }

    /** Asserts that {@code call} is INVALID_ARGUMENT whose message contains {@code expected}. */
    protected static void rejects(Runnable call, String expected) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
        String message = e.getStatus().getDescription();
        assertTrue(message != null && message.contains(expected), "'" + message + "' should say '" + expected + "'");
    }

    static float[] withValue(float[] values, int index, float value) {
        values[index] = value;
        return values;
    }

    public static Audio audio(int rate, float[] samples) {
        Audio.Builder a = Audio.newBuilder().setSampleRate(rate);
        for (float v : samples) {
            a.addSamples(v);
        }
        return a.build();
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
