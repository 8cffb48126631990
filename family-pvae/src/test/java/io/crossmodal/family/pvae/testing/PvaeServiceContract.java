package io.crossmodal.family.pvae.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.family.pvae.onnx.OrtPvae;
import io.crossmodal.features.audio.AudioLimits;
import io.crossmodal.features.audio.FbankConfig;
import io.crossmodal.features.audio.SpeechFeatures;
import io.crossmodal.proto.common.v1.Audio;
import io.crossmodal.proto.common.v1.Image;
import io.crossmodal.proto.common.v1.Latent;
import io.crossmodal.proto.common.v1.LatentPartition;
import io.crossmodal.proto.common.v1.LatentPartitions;
import io.crossmodal.runtime.onnx.SessionFactory;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.http.TestHTTPResource;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A service serving {@link PvaeRegistryResource}'s bundles: the shared fixture (a channel to it, the same graphs run
 * directly, the front end) and the bad PVAE inputs, the same for every service that takes speech or images ({@link PvaeRegistryResource}'s
 * {@code digits}: speech and image; {@code images}: image only): audio too long, an unsupported sample rate,
 * NaN / infinite / out-of-range samples, no samples, an unreadable WAV file, NaN / infinite pixels, a wrong image
 * size or pixel count, speech sent to an image-only model. Each is INVALID_ARGUMENT whose message says what is wrong,
 * and the service keeps serving. A subclass ({@code @QuarkusTest @WithTestResource(PvaeRegistryResource.class)}) says
 * how its service carries each input.
 */
public abstract class PvaeServiceContract {

    @TestHTTPResource("/")
    protected URL base;

    /** A plaintext channel to the service under test, opened before and closed after each test. */
    protected ManagedChannel channel;

    /** The same graphs as the served {@code digits} bundle, run directly: what the service must answer. */
    protected static OrtPvae direct;

    /** The trainer's front end with the tiny model's frame count. */
    protected static final SpeechFeatures FEATURES = new SpeechFeatures(FbankConfig.DEFAULT, AudioLimits.DEFAULT, TinyPvae.FRAMES);

    @BeforeAll
    static void graphs() {
        direct = new OrtPvae(SessionFactory.cpu(), TinyPvae.graphs(TinyPvae.weights(PvaeRegistryResource.SEED, true, true)),
                TinyPvae.FRAMES, TinyPvae.MEL);
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


    /** Sends PCM samples to {@code model} in this service's request; a failure is a StatusRuntimeException. */
    protected abstract void sendAudio(String model, Audio audio);

    /** Sends a WAV file's bytes. */
    protected abstract void sendWav(String model, byte[] wav);

    /** Sends a grey-level image (with valid speech alongside where the service needs both). */
    protected abstract void sendImage(String model, Image image);

    /** A valid request to {@code digits} is still answered. */
    protected abstract void assertStillServing();

    @Test
    void badSpeechIsInvalidArgumentSayingWhatIsWrong() {
        rejects(() -> sendAudio("digits", audio(8000, TinyPvae.tone(8000, 2.5, 200))), "audio too long: 2.50 s, the limit is 2.00 s");
        rejects(() -> sendAudio("digits", audio(22050, TinyPvae.tone(22050, 0.3, 200))), "unsupported sample rate 22050 Hz");
        rejects(() -> sendAudio("digits", audio(11025, TinyPvae.tone(11025, 0.3, 200))), "unsupported sample rate 11025 Hz");
        rejects(() -> sendAudio("digits", audio(8000, withValue(TinyPvae.tone(8000, 0.3, 200), 100, Float.NaN))),
                "audio sample 100 is NaN");
        rejects(() -> sendAudio("digits", audio(8000, withValue(TinyPvae.tone(8000, 0.3, 200), 7, Float.POSITIVE_INFINITY))),
                "audio sample 7 is Infinity");
        rejects(() -> sendAudio("digits", audio(16000, withValue(TinyPvae.tone(16000, 0.3, 200), 9, 3f))),
                "audio sample 9 is 3.0");
        rejects(() -> sendAudio("digits", audio(8000, new float[0])), "audio has no samples");
        rejects(() -> sendWav("digits", "RIFF....not really".getBytes(StandardCharsets.US_ASCII)), "not a readable WAV file");
        // speech to a model without a speech encoder
        rejects(() -> sendAudio("images", audio(8000, TinyPvae.tone(8000, 0.3, 200))), "has no speech encoder");
        rejects(() -> sendWav("images", TinyPvae.wav(TinyPvae.tone(8000, 0.3, 200), 8000)), "has no speech encoder");
        assertStillServing();
    }

    @Test
    void badImagesAreInvalidArgumentSayingWhatIsWrong() {
        rejects(() -> sendImage("digits", image(28, 28, withValue(TinyPvae.image(3), 40, Float.NEGATIVE_INFINITY))),
                "pixel 40 is -Infinity");
        rejects(() -> sendImage("digits", image(28, 28, withValue(TinyPvae.image(3), 5, Float.NaN))), "pixel 5 is NaN");
        rejects(() -> sendImage("digits", image(32, 32, new float[32 * 32])), "image is 32x32, the model takes 28x28");
        rejects(() -> sendImage("digits", image(27, 29, new float[27 * 29])), "image is 27x29, the model takes 28x28");
        rejects(() -> sendImage("digits", image(28, 28, new float[100])), "100");
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
        return Audio.newBuilder().setSampleRate(rate).addAllSamples(boxed(samples)).build();
    }

    public static Image image(int h, int w, float[] pixels) {
        return Image.newBuilder().setHeight(h).setWidth(w).setChannels(1).addAllPixels(boxed(pixels)).build();
    }

    public static List<Float> boxed(float[] v) {
        Float[] out = new Float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return List.of(out);
    }

    /** Partitions {@code shared} and {@code style} (means only). */
    public static LatentPartitions partitions(float[] shared, float[] style) {
        return LatentPartitions.newBuilder()
                .addPartitions(LatentPartition.newBuilder().setName("shared").setLatent(Latent.newBuilder().addAllMean(boxed(shared))))
                .addPartitions(LatentPartition.newBuilder().setName("style").setLatent(Latent.newBuilder().addAllMean(boxed(style))))
                .build();
    }
}
