package io.crossmodal.encoder.vqvae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.crossmodal.family.vqvae.onnx.OrtVqvae;
import io.crossmodal.family.vqvae.testing.TinyVqvae;
import io.crossmodal.family.vqvae.testing.VqvaeRegistryResource;
import io.crossmodal.family.vqvae.testing.VqvaeServiceContract;
import io.crossmodal.features.audio.AudioSignal;
import io.crossmodal.features.audio.GriffinLim;
import io.crossmodal.proto.common.v1.Audio;
import io.crossmodal.proto.common.v1.FrameSequence;
import io.crossmodal.proto.common.v1.ModelInfoRequest;
import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.proto.common.v1.UnitSequence;
import io.crossmodal.proto.encoder.v1.EncodeRequest;
import io.crossmodal.proto.encoder.v1.EncodeResponse;
import io.crossmodal.proto.encoder.v1.EncoderGrpc;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Encoder serving a VQ-VAE bundle over its real gRPC server, with no VQ-VAE code in the service: the unit
 * ids it returns for PCM samples, WAV bytes and frames equal the ONNX graphs run directly on the same features;
 * collapsed runs expand back to them; the continuous latents come when asked; a model without a codebook gives
 * latents only; each bad input is INVALID_ARGUMENT with its message ({@link VqvaeServiceContract}).
 */
@QuarkusTest
@WithTestResource(VqvaeRegistryResource.class)
class VqvaeEncoderServiceTest extends VqvaeServiceContract {

    EncoderGrpc.EncoderBlockingStub encoder;

    @BeforeEach
    void stub() {
        encoder = EncoderGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    static EncodeRequest.Builder request(String model) {
        return EncodeRequest.newBuilder().setRequestId("vq").setModel(ModelRef.newBuilder().setName(model));
    }

    static long[] ids(UnitSequence u) {
        return u.getIdsList().stream().mapToLong(Long::longValue).toArray();
    }

    @Test
    void speechGivesTheGraphsUnitsCollapsedOrNotWithLatents() {
        float[] tone = TinyVqvae.tone(8000, 0.7, 150);
        OrtVqvae.Encoded want = direct.encode(new float[][][] {FEATURES.fromAudio(new AudioSignal(tone, 8000))});
        long[] wantIds = want.ids()[0];
        assertTrue(java.util.Arrays.stream(wantIds).distinct().count() > 1, "the tiny model uses several codes");

        EncodeResponse r = encoder.encode(request(VqvaeRegistryResource.UNITS).setAudio(audio(8000, tone))
                .setIncludeLatents(true).build());
        assertEquals("vq", r.getRequestId());
        assertEquals(VqvaeRegistryResource.UNITS, r.getModelName());
        assertEquals(EncodeResponse.OutputCase.UNITS, r.getOutputCase());
        UnitSequence u = r.getUnits();
        assertArrayEquals(wantIds, ids(u));
        assertEquals(0, u.getRunLengthsCount(), "not collapsed unless asked");
        assertEquals(TinyVqvae.CODES, u.getCodebookSize());
        assertTrue(u.getLatentRateHz() > 0, "latent rate " + u.getLatentRateHz());
        assertEquals(TinyVqvae.DIM, u.getLatents().getFrameDim());
        assertEquals(wantIds.length * TinyVqvae.DIM, u.getLatents().getValuesCount());
        for (int l = 0; l < wantIds.length; l++) {
            for (int d = 0; d < TinyVqvae.DIM; d++) {
                assertEquals(want.latents()[0][l][d], u.getLatents().getValues(l * TinyVqvae.DIM + d), 1e-5f, "latent " + l + "," + d);
            }
        }

        // collapsed runs: no two neighbours equal, and the runs expand back to the ids
        UnitSequence c = encoder.encode(request(VqvaeRegistryResource.UNITS).setAudio(audio(8000, tone)).setCollapseRuns(true)
                .build()).getUnits();
        assertEquals(c.getIdsCount(), c.getRunLengthsCount());
        assertEquals(0, c.getLatents().getValuesCount(), "no latents unless asked");
        int k = 0;
        for (int i = 0; i < c.getIdsCount(); i++) {
            if (i > 0) {
                assertTrue(c.getIds(i) != c.getIds(i - 1), "runs are collapsed: " + c.getIdsList());
            }
            for (int n = 0; n < c.getRunLengths(i); n++) {
                assertEquals(wantIds[k++], c.getIds(i), "expands back to the uncollapsed ids");
            }
        }
        assertEquals(wantIds.length, k);
        assertTrue(c.getIdsCount() < wantIds.length, "the tiny tone has at least one run: " + java.util.Arrays.toString(wantIds));

        // the same speech as client-computed frames, and as a WAV file (16-bit: the quantised samples' units)
        float[][] logMel = FEATURES.logMel(new AudioSignal(tone, 8000));
        assertArrayEquals(wantIds, ids(encoder.encode(request(VqvaeRegistryResource.UNITS).setFrames(frames(logMel)).build())
                .getUnits()));
        byte[] wav = GriffinLim.wav(tone, 8000);
        EncodeResponse fromWav = encoder.encode(request(VqvaeRegistryResource.UNITS).setWav(ByteString.copyFrom(wav)).build());
        assertEquals(wantIds.length, fromWav.getUnits().getIdsCount());

        assertEquals("vqvae", encoder.modelInfo(ModelInfoRequest.newBuilder()
                .setModel(ModelRef.newBuilder().setName(VqvaeRegistryResource.UNITS)).build()).getComponent());
    }

    @Test
    void aModelWithoutCodebookGivesLatentsOnly() {
        EncodeResponse r = encoder.encode(request(VqvaeRegistryResource.PLAIN).setAudio(audio(8000, TinyVqvae.tone(8000, 0.5, 180)))
                .setIncludeLatents(true).build());
        assertEquals(0, r.getUnits().getIdsCount());
        assertEquals(TinyVqvae.FRAMES / TinyVqvae.DOWN * TinyVqvae.DIM, r.getUnits().getLatents().getValuesCount());
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
    protected void sendFrames(String model, FrameSequence frames) {
        encoder.encode(request(model).setFrames(frames).build());
    }

    @Override
    protected void assertStillServing() {
        assertEquals(TinyVqvae.FRAMES / TinyVqvae.DOWN, encoder.encode(request(VqvaeRegistryResource.UNITS)
                .setAudio(audio(8000, TinyVqvae.tone(8000, 0.5, 180))).build()).getUnits().getIdsCount());
    }
}
