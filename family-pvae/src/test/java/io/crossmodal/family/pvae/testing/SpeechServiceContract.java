package io.crossmodal.family.pvae.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.proto.common.v1.Audio;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.http.TestHTTPResource;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A service that takes speech, whatever the family (PVAE here, VQ-VAE in family-vqvae's test jar): a channel to it
 * and the bad speech every such service refuses alike: audio too long, an unsupported sample rate, NaN / infinite /
 * out-of-range samples, no samples, an unreadable WAV file. Each is INVALID_ARGUMENT whose message says what is
 * wrong, and the service keeps serving. The family's contract adds its own bad inputs ({@link #moreBadSpeech}); a
 * service test says how its service carries each input.
 */
public abstract class SpeechServiceContract {

    @TestHTTPResource("/")
    protected URL base;

    /** A plaintext channel to the service under test, opened before and closed after each test. */
    protected ManagedChannel channel;

    @BeforeEach
    void connect() {
        channel = ManagedChannelBuilder.forAddress(base.getHost(), base.getPort()).usePlaintext().build();
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /** The served model that takes speech. */
    protected abstract String speechModel();

    /** Sends speech as PCM samples to {@code model} in this service's request; a failure is a StatusRuntimeException. */
    protected abstract void sendAudio(String model, Audio audio);

    /** Sends speech as a WAV file's bytes. */
    protected abstract void sendWav(String model, byte[] wav);

    /** A valid request to the speech model is still answered. */
    protected abstract void assertStillServing();

    /** The family's own bad speech inputs, each checked with {@link #rejects}. */
    protected void moreBadSpeech() {}

    @Test
    void badSpeechIsInvalidArgumentSayingWhatIsWrong() {
        String m = speechModel();
        rejects(() -> sendAudio(m, audio(8000, tone(8000, 2.5))), "audio too long: 2.50 s, the limit is 2.00 s");
        rejects(() -> sendAudio(m, audio(22050, tone(22050, 0.3))), "unsupported sample rate 22050 Hz");
        rejects(() -> sendAudio(m, audio(11025, tone(11025, 0.3))), "unsupported sample rate 11025 Hz");
        rejects(() -> sendAudio(m, audio(8000, withValue(tone(8000, 0.3), 100, Float.NaN))), "audio sample 100 is NaN");
        rejects(() -> sendAudio(m, audio(8000, withValue(tone(8000, 0.3), 7, Float.POSITIVE_INFINITY))),
                "audio sample 7 is Infinity");
        rejects(() -> sendAudio(m, audio(16000, withValue(tone(16000, 0.3), 9, 3f))), "audio sample 9 is 3.0");
        rejects(() -> sendAudio(m, audio(8000, new float[0])), "audio has no samples");
        rejects(() -> sendWav(m, "RIFF....not really".getBytes(StandardCharsets.US_ASCII)), "not a readable WAV file");
        rejects(() -> sendWav(m, TinyPvae.wav(tone(8000, 2.5), 8000)), "2.00 s");
        moreBadSpeech();
        assertStillServing();
    }

    /** A 200 Hz tone of {@code seconds} at {@code rate}: valid speech input apart from what a test changes. */
    protected static float[] tone(int rate, double seconds) {
        return TinyPvae.tone(rate, seconds, 200);
    }

    /** Asserts that {@code call} is INVALID_ARGUMENT whose message contains {@code expected}. */
    protected static void rejects(Runnable call, String expected) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
        String message = e.getStatus().getDescription();
        assertTrue(message != null && message.contains(expected), "'" + message + "' should say '" + expected + "'");
    }

    protected static float[] withValue(float[] values, int index, float value) {
        values[index] = value;
        return values;
    }

    public static Audio audio(int rate, float[] samples) {
        return Audio.newBuilder().setSampleRate(rate).addAllSamples(boxed(samples)).build();
    }

    public static List<Float> boxed(float[] v) {
        Float[] out = new Float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return List.of(out);
    }
}
