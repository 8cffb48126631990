package io.crossmodal.decoder.vqvae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.crossmodal.family.vqvae.testing.TinyVqvae;
import io.crossmodal.family.vqvae.testing.VqvaeRegistryResource;
import io.crossmodal.family.vqvae.testing.VqvaeServiceContract;
import io.crossmodal.features.audio.AudioSignal;
import io.crossmodal.features.audio.GriffinLim;
import io.crossmodal.features.audio.WavDecoder;
import io.crossmodal.proto.common.v1.Audio;
import io.crossmodal.proto.common.v1.FrameSequence;
import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.proto.common.v1.SpeakerRef;
import io.crossmodal.proto.common.v1.UnitSequence;
import io.crossmodal.proto.decoder.v1.DecodeRequest;
import io.crossmodal.proto.decoder.v1.DecodeResponse;
import io.crossmodal.proto.decoder.v1.DecoderGrpc;
import io.crossmodal.proto.decoder.v1.VoiceConversion;
import io.crossmodal.family.vqvae.testing.VqvaeExampleScript;
import io.crossmodal.serving.common.testing.PythonClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Decoder serving a VQ-VAE bundle over its real gRPC server, with no VQ-VAE code in the service: units
 * (collapsed or not) in a named voice give the graphs' generated frames and a WAV of them; voice conversion in
 * one call (content from WAV bytes, the voice from a reference recording) gives the nearest training speaker's
 * voice, the graphs' frames and a WAV; each bad input is INVALID_ARGUMENT with its message
 * ({@link VqvaeServiceContract} through the voice-conversion content, and the unit and speaker errors).
 */
@QuarkusTest
@WithTestResource(VqvaeRegistryResource.class)
class VqvaeDecoderServiceTest extends VqvaeServiceContract {

    static final SpeakerRef BOB = SpeakerRef.newBuilder().setName("bob").build();

    DecoderGrpc.DecoderBlockingStub decoder;

    @BeforeEach
    void stub() {
        decoder = DecoderGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    static DecodeRequest.Builder request(String model) {
        return DecodeRequest.newBuilder().setRequestId("vq").setModel(ModelRef.newBuilder().setName(model));
    }

    private static void assertFrames(float[][] want, FrameSequence got) {
        assertEquals(TinyVqvae.MEL, got.getFrameDim());
        assertEquals(want.length * TinyVqvae.MEL, got.getValuesCount());
        for (int t = 0; t < want.length; t++) {
            for (int m = 0; m < TinyVqvae.MEL; m++) {
                assertEquals(want[t][m], got.getValues(t * TinyVqvae.MEL + m), 1e-5f, "frame " + t + " bin " + m);
            }
        }
    }

    @Test
    void unitsInANamedVoiceGiveTheGraphsFramesAndAWav() {
        long[] ids = {1, 1, 5, 2, 7};
        DecodeResponse r = decoder.decode(request(VqvaeRegistryResource.UNITS).setUnits(UnitSequence.newBuilder()
                .addIds(1).addIds(5).addIds(2).addIds(7).addRunLengths(2).addRunLengths(1).addRunLengths(1).addRunLengths(1))
                .setSpeaker(BOB).setWavOutput(true).build());
        assertEquals("vq", r.getRequestId());
        assertEquals("bob", r.getSpeaker());
        float[][][] want = direct.generate(direct.lookup(new long[][] {ids}), new long[] {1});
        assertFrames(want[0], r.getFrames());
        AudioSignal wav = WavDecoder.decode(r.getWav().toByteArray(), 1 << 20);
        assertEquals(8000, wav.sampleRate());
        assertEquals((ids.length * TinyVqvae.DOWN - 1) * 80 + 200, wav.samples().length);

        // the same units uncollapsed, another voice: other frames, no WAV unless asked
        DecodeResponse ann = decoder.decode(request(VqvaeRegistryResource.UNITS).setUnits(UnitSequence.newBuilder()
                .addIds(1).addIds(1).addIds(5).addIds(2).addIds(7)).setSpeaker(SpeakerRef.newBuilder().setName("ann")).build());
        assertEquals("ann", ann.getSpeaker());
        assertFrames(direct.generate(direct.lookup(new long[][] {ids}), new long[] {0})[0], ann.getFrames());
        assertTrue(ann.getWav().isEmpty(), "no WAV unless asked");
    }

    @Test
    void voiceConversionIsOneCallWithWavOut() {
        float[] content = TinyVqvae.tone(8000, 0.6, 120);
        float[] reference = TinyVqvae.tone(8000, 0.5, 260);
        byte[] contentWav = GriffinLim.wav(content, 8000);
        DecodeResponse r = decoder.decode(request(VqvaeRegistryResource.UNITS).setVoiceConversion(VoiceConversion.newBuilder()
                .setContentWav(ByteString.copyFrom(contentWav))
                .setVoice(SpeakerRef.newBuilder().setAudio(audio(8000, reference)))).setWavOutput(true).build());
        long who = direct.identifySpeakers(new float[][][] {FEATURES.fromAudio(new AudioSignal(reference, 8000))})[0];
        assertEquals(TinyVqvae.SPEAKERS.get((int) who), r.getSpeaker());
        AudioSignal decoded = WavDecoder.decode(contentWav, 1 << 20);
        float[][][] units = direct.encode(new float[][][] {FEATURES.fromAudio(decoded)}).units();
        assertFrames(direct.generate(units, new long[] {who})[0], r.getFrames());
        AudioSignal out = WavDecoder.decode(r.getWav().toByteArray(), 1 << 20);
        assertEquals(8000, out.sampleRate());
        assertTrue(out.samples().length > 0);

        // the voice by name gives that speaker whatever the reference would have been
        DecodeResponse named = decoder.decode(request(VqvaeRegistryResource.UNITS).setVoiceConversion(VoiceConversion.newBuilder()
                .setContentAudio(audio(8000, content)).setVoice(SpeakerRef.newBuilder().setName("cy"))).build());
        assertEquals("cy", named.getSpeaker());
    }

    /**
     * clients/python/vqvae_example.py (Debian's python3 and grpcio; no skip) against this Decoder: voice conversion
     * of a content WAV into the voice of a reference WAV (its nearest training speaker, as the graphs say) or of a
     * named speaker, the returned WAV written to a file; an unknown speaker is the script's error exit with the
     * service's INVALID_ARGUMENT message.
     */
    @Test
    void pythonExampleConvertsAVoiceIntoAWavFile(@TempDir Path dir) throws Exception {
        PythonClient.requireGrpcio();
        byte[] contentBytes = GriffinLim.wav(TinyVqvae.tone(8000, 0.6, 120), 8000);
        byte[] referenceBytes = GriffinLim.wav(TinyVqvae.tone(8000, 0.5, 260), 8000);
        Path content = Files.write(dir.resolve("content.wav"), contentBytes);
        Path reference = Files.write(dir.resolve("reference.wav"), referenceBytes);
        long who = direct.identifySpeakers(new float[][][] {FEATURES.fromAudio(WavDecoder.decode(referenceBytes, 1 << 20))})[0];
        float[][][] units = direct.encode(new float[][][] {FEATURES.fromAudio(WavDecoder.decode(contentBytes, 1 << 20))}).units();
        int frames = direct.generate(units, new long[] {who})[0].length;
        String server = base.getHost() + ":" + base.getPort();

        Path out = dir.resolve("converted.wav");
        VqvaeExampleScript.Result r = VqvaeExampleScript.run(PythonClient.PYTHON, PythonClient.repoRoot(), "--decoder", server,
                "--model", VqvaeRegistryResource.UNITS, "--wav", content.toString(), "--voice-wav", reference.toString(),
                "--out", out.toString());
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("decoder " + VqvaeRegistryResource.UNITS + "/"), r.output());
        assertTrue(r.output().contains(": voice of " + TinyVqvae.SPEAKERS.get((int) who) + ", " + frames + " frames x "
                + TinyVqvae.MEL + " mel bins, WAV " + Files.size(out) + " bytes -> " + out), r.output());
        AudioSignal wav = WavDecoder.decode(Files.readAllBytes(out), 1 << 20);
        assertEquals(8000, wav.sampleRate());
        assertEquals((frames - 1) * 80 + 200, wav.samples().length, "Griffin-Lim of the generated frames (hop 80, window 200)");

        // a named voice other than the reference's
        String other = TinyVqvae.SPEAKERS.stream().filter(n -> !n.equals(TinyVqvae.SPEAKERS.get((int) who))).findFirst().orElseThrow();
        Path named = dir.resolve("as-" + other + ".wav");
        VqvaeExampleScript.Result byName = VqvaeExampleScript.run(PythonClient.PYTHON, PythonClient.repoRoot(), "--decoder",
                server, "--model", VqvaeRegistryResource.UNITS, "--wav", content.toString(), "--voice", other, "--out",
                named.toString());
        assertEquals(0, byName.exitCode(), byName.output());
        assertTrue(byName.output().contains(": voice of " + other + ", "), byName.output());
        assertTrue(Files.size(named) > 44, "a WAV with samples");

        Path none = dir.resolve("none.wav");
        VqvaeExampleScript.Result bad = VqvaeExampleScript.run(PythonClient.PYTHON, PythonClient.repoRoot(), "--decoder", server,
                "--model", VqvaeRegistryResource.UNITS, "--wav", content.toString(), "--voice", "zed", "--out", none.toString());
        assertEquals(1, bad.exitCode(), bad.output());
        assertTrue(bad.output().contains("vqvae_example.py: INVALID_ARGUMENT") && bad.output().contains("unknown speaker 'zed'"),
                bad.output());
        assertTrue(Files.notExists(none), "no file written on an error");
    }

    @Test
    void badUnitsAndSpeakersAreInvalidArgument() {
        String m = VqvaeRegistryResource.UNITS;
        rejects(() -> decoder.decode(request(m).setUnits(UnitSequence.newBuilder().addIds(3)).build()), "speaker is required");
        rejects(() -> decoder.decode(request(m).setUnits(UnitSequence.newBuilder().addIds(3).addIds(8)).setSpeaker(BOB).build()),
                "id 1 is 8, outside [0, 8)");
        rejects(() -> decoder.decode(request(m).setUnits(UnitSequence.newBuilder().addIds(-1)).setSpeaker(BOB).build()),
                "id 0 is -1");
        rejects(() -> decoder.decode(request(m).setUnits(UnitSequence.newBuilder()).setSpeaker(BOB).build()), "no ids given");
        rejects(() -> decoder.decode(request(m).setUnits(UnitSequence.newBuilder().addIds(3).addRunLengths(0)).setSpeaker(BOB)
                .build()), "run_lengths 0 is 0");
        rejects(() -> decoder.decode(request(m).setUnits(UnitSequence.newBuilder().addIds(3).addRunLengths(251)).setSpeaker(BOB)
                .build()), "more than 250 units");
        rejects(() -> decoder.decode(request(m).setUnits(UnitSequence.newBuilder().addIds(3))
                .setSpeaker(SpeakerRef.newBuilder().setName("zed")).build()), "unknown speaker 'zed'");
        rejects(() -> decoder.decode(request(m).setVoiceConversion(VoiceConversion.newBuilder().setVoice(BOB)).build()),
                "voice_conversion.content is required");
        rejects(() -> decoder.decode(request(m).setVoiceConversion(VoiceConversion.newBuilder()
                .setContentAudio(audio(8000, TinyVqvae.tone(8000, 0.3, 200)))).build()), "voice_conversion.voice is required");
        rejects(() -> decoder.decode(request(VqvaeRegistryResource.PLAIN).setUnits(UnitSequence.newBuilder().addIds(1))
                .setSpeaker(BOB).build()), "has no codebook");
        assertStillServing();
    }

    @Override
    protected void sendAudio(String model, Audio audio) {
        decoder.decode(request(model).setVoiceConversion(VoiceConversion.newBuilder().setContentAudio(audio).setVoice(BOB)).build());
    }

    @Override
    protected void sendWav(String model, byte[] wav) {
        decoder.decode(request(model).setVoiceConversion(VoiceConversion.newBuilder().setContentWav(ByteString.copyFrom(wav))
                .setVoice(BOB)).build());
    }

    @Override
    protected void sendFrames(String model, FrameSequence frames) {
        decoder.decode(request(model).setVoiceConversion(VoiceConversion.newBuilder().setContentFrames(frames).setVoice(BOB)).build());
    }

    @Override
    protected void assertStillServing() {
        assertEquals(2 * TinyVqvae.DOWN * TinyVqvae.MEL, decoder.decode(request(VqvaeRegistryResource.UNITS)
                .setUnits(UnitSequence.newBuilder().addIds(0).addIds(4)).setSpeaker(BOB).build()).getFrames().getValuesCount());
    }
}
