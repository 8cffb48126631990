package io.crossmodal.family.pvae.testing;


import io.crossmodal.family.pvae.onnx.OrtPvae;
import io.crossmodal.features.audio.AudioLimits;
import io.crossmodal.features.audio.FbankConfig;
import io.crossmodal.features.audio.SpeechFeatures;
import io.crossmodal.proto.common.v1.Image;
import io.crossmodal.proto.common.v1.Latent;
import io.crossmodal.proto.common.v1.LatentPartition;
import io.crossmodal.proto.common.v1.LatentPartitions;
import io.crossmodal.runtime.onnx.SessionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A service serving {@link PvaeRegistryResource}'s bundles ({@code digits}: speech and image; {@code images}: image
 * only): the shared fixture (the same graphs run directly, the front end), the bad speech of every speech service
 * ({@link SpeechServiceContract}) plus speech sent to the image-only model, and the bad images: NaN / infinite
 * pixels, a wrong image size or pixel count. Each is INVALID_ARGUMENT whose message says what is wrong, and the
 * service keeps serving. A subclass ({@code @QuarkusTest @WithTestResource(PvaeRegistryResource.class)}) says how its
 * service carries each input.
 */
public abstract class PvaeServiceContract extends SpeechServiceContract {

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

    /** Sends a grey-level image (with valid speech alongside where the service needs both). */
    protected abstract void sendImage(String model, Image image);

    @Override
    protected String speechModel() {
        return "digits";
    }

    /** Speech to a model without a speech encoder. */
    @Override
    protected void moreBadSpeech() {
        rejects(() -> sendAudio("images", audio(8000, tone(8000, 0.3))), "has no speech encoder");
        rejects(() -> sendWav("images", TinyPvae.wav(tone(8000, 0.3), 8000)), "has no speech encoder");
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

    public static Image image(int h, int w, float[] pixels) {
        return Image.newBuilder().setHeight(h).setWidth(w).setChannels(1).addAllPixels(boxed(pixels)).build();
    }

    /** Partitions {@code shared} and {@code style} (means only). */
    public static LatentPartitions partitions(float[] shared, float[] style) {
        return LatentPartitions.newBuilder()
                .addPartitions(LatentPartition.newBuilder().setName("shared").setLatent(Latent.newBuilder().addAllMean(boxed(shared))))
                .addPartitions(LatentPartition.newBuilder().setName("style").setLatent(Latent.newBuilder().addAllMean(boxed(style))))
                .build();
    }
}
