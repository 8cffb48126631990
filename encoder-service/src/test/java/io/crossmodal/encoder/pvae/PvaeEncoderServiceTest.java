package io.crossmodal.encoder.pvae;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.crossmodal.family.pvae.onnx.Latents;
import io.crossmodal.family.pvae.testing.PvaeRegistryResource;
import io.crossmodal.family.pvae.testing.PvaeServiceContract;
import io.crossmodal.family.pvae.testing.TinyPvae;
import io.crossmodal.features.audio.AudioSignal;
import io.crossmodal.proto.common.v1.Audio;
import io.crossmodal.proto.common.v1.FrameSequence;
import io.crossmodal.proto.common.v1.Image;
import io.crossmodal.proto.common.v1.LatentPartitions;
import io.crossmodal.proto.common.v1.ModelInfoRequest;
import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.proto.common.v1.TokenSequence;
import io.crossmodal.proto.encoder.v1.EncodeRequest;
import io.crossmodal.proto.encoder.v1.EncodeResponse;
import io.crossmodal.proto.encoder.v1.EncoderGrpc;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Encoder serving a PVAE bundle over its real gRPC server, with no PVAE code in the service: the
 * partitions it returns for WAV bytes, PCM samples, frames and an image equal the ONNX graphs run
 * directly on the same features (the trainer's front end); each bad input is INVALID_ARGUMENT with its message
 * ({@link PvaeServiceContract}, and the inputs only the Encoder takes).
 */
@QuarkusTest
@WithTestResource(PvaeRegistryResource.class)
class PvaeEncoderServiceTest extends PvaeServiceContract {

    EncoderGrpc.EncoderBlockingStub encoder;

    @BeforeEach
    void stub() {
        encoder = EncoderGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    static EncodeRequest.Builder request(String model) {
        return EncodeRequest.newBuilder().setRequestId("pvae").setModel(ModelRef.newBuilder().setName(model));
    }

    @Test
    void wavPcmFramesAndImageGiveTheGraphsLatents() {
        float[] tone = TinyPvae.tone(8000, 0.8, 240);
        EncodeResponse r = encoder.encode(request("digits").setWav(ByteString.copyFrom(TinyPvae.wav(tone, 8000))).build());
        assertEquals("pvae", r.getRequestId());
        assertEquals("digits", r.getModelName());
        float[][] wavFeatures = FEATURES.fromAudio(new AudioSignal(TinyPvae.quantised(tone), 8000));
        assertSame(direct.encodeSpeech(new float[][][] {wavFeatures}), r.getPartitions());

        r = encoder.encode(request("digits").setAudio(audio(16000, TinyPvae.tone(16000, 0.5, 300))).build());
        assertSame(direct.encodeSpeech(new float[][][] {FEATURES.fromAudio(new AudioSignal(TinyPvae.tone(16000, 0.5, 300), 16000))}),
                r.getPartitions());

        // client-computed frames (any count; resampled to the model's) equal the audio path on the same frames
        float[][] logMel = FEATURES.logMel(new AudioSignal(tone, 8000));
        FrameSequence.Builder frames = FrameSequence.newBuilder().setFrameDim(TinyPvae.MEL);
        for (float[] f : logMel) {
            frames.addAllValues(boxed(f));
        }
        r = encoder.encode(request("digits").setFrames(frames).build());
        assertSame(direct.encodeSpeech(new float[][][] {FEATURES.fromFrames(logMel)}), r.getPartitions());

        float[] pixels = TinyPvae.image(9);
        r = encoder.encode(request("digits").setImage(image(28, 28, pixels)).build());
        assertSame(direct.encodeImages(new float[][] {pixels}), r.getPartitions());

        assertEquals("pvae", encoder.modelInfo(ModelInfoRequest.newBuilder()
                .setModel(ModelRef.newBuilder().setName("digits")).build()).getComponent());
    }

    @Override
    protected void sendAudio(String model, Audio audio) {
        encoder.encode(request(model).setAudio(audio).build());
    }

    @Override
    protected void sendWav(String model, byte[] wav) {
        encoder.encode(request(model).setWav(ByteString.copyFrom(wav)).build());
    }

    @Override
    protected void sendImage(String model, Image image) {
        encoder.encode(request(model).setImage(image).build());
    }

    @Override
    protected void assertStillServing() {
        assertEquals(2, encoder.encode(request("digits").setImage(image(28, 28, TinyPvae.image(1))).build())
                .getPartitions().getPartitionsCount());
    }

    @Test
    void inputsOnlyTheEncoderTakesAreCheckedToo() {
        rejects(() -> encoder.encode(request("digits").setTokens(TokenSequence.newBuilder().addTokens("K")).build()),
                "tokens input is not supported");
        FrameSequence.Builder frames = FrameSequence.newBuilder().setFrameDim(TinyPvae.MEL + 1);
        frames.addAllValues(boxed(new float[3 * (TinyPvae.MEL + 1)]));
        rejects(() -> encoder.encode(request("digits").setFrames(frames).build()), "frame_dim is " + (TinyPvae.MEL + 1));
        assertStillServing();
    }

    private static void assertSame(Latents expected, LatentPartitions got) {
        assertEquals(List.of("shared", "style"), got.getPartitionsList().stream().map(p -> p.getName()).toList());
        assertClose(expected.sharedMean()[0], got.getPartitions(0).getLatent().getMeanList());
        assertClose(expected.sharedLogVar()[0], got.getPartitions(0).getLatent().getLogVarianceList());
        assertClose(expected.styleMean()[0], got.getPartitions(1).getLatent().getMeanList());
        assertClose(expected.styleLogVar()[0], got.getPartitions(1).getLatent().getLogVarianceList());
    }

    private static void assertClose(float[] expected, List<Float> got) {
        assertEquals(expected.length, got.size());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], got.get(i), 1e-5f, "value " + i);
        }
    }
}
