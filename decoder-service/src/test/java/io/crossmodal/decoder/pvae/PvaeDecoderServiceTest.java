package io.crossmodal.decoder.pvae;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.crossmodal.family.pvae.testing.PvaeRegistryResource;
import io.crossmodal.family.pvae.testing.PvaeServiceContract;
import io.crossmodal.family.pvae.testing.TinyPvae;
import io.crossmodal.features.audio.AudioSignal;
import io.crossmodal.proto.common.v1.Audio;
import io.crossmodal.proto.common.v1.Image;
import io.crossmodal.proto.common.v1.LatentPartitions;
import io.crossmodal.proto.common.v1.Modality;
import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.proto.decoder.v1.CrossModal;
import io.crossmodal.proto.decoder.v1.DecodeRequest;
import io.crossmodal.proto.decoder.v1.DecodeResponse;
import io.crossmodal.proto.decoder.v1.DecoderGrpc;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Decoder serving a PVAE bundle over its real gRPC server, with no PVAE code in the service:
 * cross-modal generation in one call (spoken content, handwritten style -> a 28x28 image equal to the
 * graphs' output), latents to image and frames, and each bad input INVALID_ARGUMENT with its message
 * ({@link PvaeServiceContract}, and the latents and request shapes only the Decoder takes).
 */
@QuarkusTest
@WithTestResource(PvaeRegistryResource.class)
class PvaeDecoderServiceTest extends PvaeServiceContract {

    DecoderGrpc.DecoderBlockingStub decoder;

    @BeforeEach
    void stub() {
        decoder = DecoderGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    static DecodeRequest.Builder request(String model) {
        return DecodeRequest.newBuilder().setRequestId("pvae").setModel(ModelRef.newBuilder().setName(model));
    }

    @Test
    void spokenDigitInHandwritingIsOneCall() {
        float[] tone = TinyPvae.tone(8000, 0.7, 210);
        float[] reference = TinyPvae.image(4);
        DecodeResponse r = decoder.decode(request("digits").setCrossModal(CrossModal.newBuilder()
                .setContentWav(ByteString.copyFrom(TinyPvae.wav(tone, 8000))).setStyleImage(image(28, 28, reference))).build());
        assertEquals("digits", r.getModelName());
        Image out = r.getImage();
        assertEquals(List.of(28, 28, 1, 784), List.of(out.getHeight(), out.getWidth(), out.getChannels(), out.getPixelsCount()));
        float[] shared = direct.encodeSpeech(new float[][][] {
            FEATURES.fromAudio(new AudioSignal(TinyPvae.quantised(tone), 8000))}).sharedMean()[0];
        float[] style = direct.encodeImages(new float[][] {reference}).styleMean()[0];
        float[] expected = direct.decodeImages(new float[][] {shared}, new float[][] {style})[0];
        for (int i = 0; i < 784; i++) {
            assertEquals(expected[i], out.getPixels(i), 1e-5f, "pixel " + i);
        }

        // the same latents sent as partitions give the same image; into speech they give the model's frames
        r = decoder.decode(request("digits").setOutputModality(Modality.MODALITY_IMAGE).setPartitions(partitions(shared, style)).build());
        assertEquals(expected[123], r.getImage().getPixels(123), 1e-5f);
        r = decoder.decode(request("digits").setOutputModality(Modality.MODALITY_SPEECH).setPartitions(partitions(shared, style)).build());
        assertEquals(TinyPvae.MEL, r.getFrames().getFrameDim());
        assertEquals(TinyPvae.FRAMES * TinyPvae.MEL, r.getFrames().getValuesCount());
        float[][] frames = direct.decodeSpeech(new float[][] {shared}, new float[][] {style})[0];
        assertEquals(frames[TinyPvae.FRAMES - 1][5], r.getFrames().getValues((TinyPvae.FRAMES - 1) * TinyPvae.MEL + 5), 1e-4f);
    }

    /** The style image that goes with speech content in a cross-modal request. */
    static final float[] STYLE_IMAGE = TinyPvae.image(2);

    @Override
    protected void sendAudio(String model, Audio audio) {
        decoder.decode(request(model).setCrossModal(CrossModal.newBuilder().setContentAudio(audio)
                .setStyleImage(image(28, 28, STYLE_IMAGE))).build());
    }

    @Override
    protected void sendWav(String model, byte[] wav) {
        decoder.decode(request(model).setCrossModal(CrossModal.newBuilder().setContentWav(ByteString.copyFrom(wav))
                .setStyleImage(image(28, 28, STYLE_IMAGE))).build());
    }

    @Override
    protected void sendImage(String model, Image image) {
        decoder.decode(request(model).setCrossModal(CrossModal.newBuilder()
                .setContentAudio(audio(8000, TinyPvae.tone(8000, 0.3, 200))).setStyleImage(image)).build());
    }

    @Override
    protected void assertStillServing() {
        assertEquals(784, decoder.decode(request("digits").setOutputModality(Modality.MODALITY_IMAGE)
                .setPartitions(partitions(new float[TinyPvae.SHARED], new float[TinyPvae.STYLE])).build()).getImage().getPixelsCount());
    }

    @Test
    void badLatentsAndRequestShapesOnlyTheDecoderTakesAreInvalidArgument() {
        rejects(() -> decodeImage(partitions(new float[TinyPvae.SHARED], new float[TinyPvae.STYLE + 2])),
                "partition 'style' has 5 values, the model's is of size 3");
        rejects(() -> decodeImage(partitions(new float[TinyPvae.SHARED + 1], new float[TinyPvae.STYLE])),
                "partition 'shared' has " + (TinyPvae.SHARED + 1) + " values");
        float[] nan = new float[TinyPvae.SHARED];
        nan[1] = Float.NaN;
        rejects(() -> decodeImage(partitions(nan, new float[TinyPvae.STYLE])), "partition 'shared' value 1 is NaN");
        float[] inf = new float[TinyPvae.STYLE];
        inf[2] = Float.NEGATIVE_INFINITY;
        rejects(() -> decodeImage(partitions(new float[TinyPvae.SHARED], inf)), "partition 'style' value 2 is -Infinity");
        rejects(() -> decoder.decode(request("digits").setPartitions(partitions(new float[TinyPvae.SHARED], new float[TinyPvae.STYLE]))
                .build()), "output_modality is required");
        rejects(() -> decoder.decode(request("digits").setCrossModal(CrossModal.newBuilder()
                .setContentImage(image(28, 28, STYLE_IMAGE)).setStyleImage(image(28, 28, STYLE_IMAGE))).build()), "both image");
        rejects(() -> decoder.decode(request("images").setOutputModality(Modality.MODALITY_SPEECH)
                .setPartitions(partitions(new float[TinyPvae.SHARED], new float[TinyPvae.STYLE])).build()), "has no speech decoder");
        assertStillServing();
    }

    private void decodeImage(LatentPartitions partitions) {
        decoder.decode(request("digits").setOutputModality(Modality.MODALITY_IMAGE).setPartitions(partitions).build());
    }
}
