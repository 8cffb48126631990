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
import io.crossmodal.family.vqvae.testing.VqvaeExampleScript;
import io.crossmodal.features.audio.WavDecoder;
import io.crossmodal.serving.common.testing.PythonClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    /**
     * clients/python/vqvae_example.py (Debian's python3 and grpcio; no skip) against this Encoder: a WAV file in,
     * the units it prints are those of the graphs run directly on the same 16-bit samples, and with
     * {@code --collapse} their runs.
     */
    @Test
    void pythonExamplePrintsTheUnitsOfAWav(@TempDir Path dir) throws Exception {
        PythonClient.requireGrpcio();
        byte[] wavBytes = GriffinLim.wav(TinyVqvae.tone(8000, 0.7, 150), 8000);
        Path wav = Files.write(dir.resolve("speech.wav"), wavBytes);
        long[] want = direct.encode(new float[][][] {FEATURES.fromAudio(WavDecoder.decode(wavBytes, 1 << 20))}).ids()[0];
        List<Long> ids = new ArrayList<>();
        List<Long> runs = new ArrayList<>();
        for (int i = 0; i < want.length; i++) {
            if (i > 0 && want[i] == want[i - 1]) {
                runs.set(runs.size() - 1, runs.get(runs.size() - 1) + 1);
            } else {
                ids.add(want[i]);
                runs.add(1L);
            }
        }
        assertTrue(ids.size() < want.length, "the tone has a run to collapse: " + java.util.Arrays.toString(want));
        String server = base.getHost() + ":" + base.getPort();

        VqvaeExampleScript.Result full = VqvaeExampleScript.run(PythonClient.PYTHON, PythonClient.repoRoot(),
                "--encoder", server, "--model", VqvaeRegistryResource.UNITS, "--wav", wav.toString());
        assertEquals(0, full.exitCode(), full.output());
        assertTrue(full.output().contains("encoder " + VqvaeRegistryResource.UNITS + "/"), full.output());
        assertTrue(full.output().contains(": " + want.length + " units, codebook " + TinyVqvae.CODES + ", "), full.output());
        assertEquals(joined(java.util.Arrays.stream(want).boxed().toList()), line(full.output(), "ids:"));
        assertEquals(null, line(full.output(), "run lengths:"), "no run lengths unless --collapse");

        VqvaeExampleScript.Result collapsed = VqvaeExampleScript.run(PythonClient.PYTHON, PythonClient.repoRoot(),
                "--encoder", server, "--model", VqvaeRegistryResource.UNITS, "--wav", wav.toString(), "--collapse");
        assertEquals(0, collapsed.exitCode(), collapsed.output());
        assertEquals(joined(ids), line(collapsed.output(), "ids:"));
        assertEquals(joined(runs), line(collapsed.output(), "run lengths:"));

        VqvaeExampleScript.Result unknown = VqvaeExampleScript.run(PythonClient.PYTHON, PythonClient.repoRoot(),
                "--encoder", server, "--model", "no-such-model", "--wav", wav.toString());
        assertEquals(1, unknown.exitCode(), unknown.output());
        assertTrue(unknown.output().contains("vqvae_example.py: NOT_FOUND"), unknown.output());
    }

    private static String joined(List<Long> v) {
        return v.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(" "));
    }

    /** The rest of the output line starting with {@code label}, trimmed; null when there is none. */
    private static String line(String output, String label) {
        return output.lines().filter(l -> l.startsWith(label)).map(l -> l.substring(label.length()).strip()).findFirst()
                .orElse(null);
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
