package io.crossmodal.family.vqvae.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.crossmodal.family.vqvae.model.VqvaeWeights;
import io.crossmodal.family.vqvae.onnx.OrtVqvae;
import io.crossmodal.family.vqvae.onnx.VqvaeGraphs;
import io.crossmodal.family.vqvae.testing.TinyVqvae;
import io.crossmodal.features.audio.AudioLimits;
import io.crossmodal.features.audio.AudioSignal;
import io.crossmodal.features.audio.FbankConfig;
import io.crossmodal.features.audio.FixedLengthFrames;
import io.crossmodal.features.audio.GriffinLim;
import io.crossmodal.features.audio.SpeechFeatures;
import io.crossmodal.features.audio.WavDecoder;
import io.crossmodal.proto.common.v1.Audio;
import io.crossmodal.proto.common.v1.FrameSequence;
import io.crossmodal.proto.common.v1.SpeakerRef;
import io.crossmodal.proto.common.v1.TokenSequence;
import io.crossmodal.proto.common.v1.UnitSequence;
import io.crossmodal.proto.decoder.v1.DecodeRequest;
import io.crossmodal.proto.decoder.v1.DecodeResponse;
import io.crossmodal.proto.decoder.v1.VoiceConversion;
import io.crossmodal.proto.encoder.v1.EncodeRequest;
import io.crossmodal.proto.encoder.v1.EncodeResponse;
import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.ModelRegistry;
import io.crossmodal.runtime.family.InvalidInputException;
import io.crossmodal.runtime.family.ServedModel;
import io.crossmodal.runtime.family.ServingContext;
import io.crossmodal.runtime.family.ServingFamilies;
import io.crossmodal.runtime.onnx.SessionFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plug-in, found by ServiceLoader, serves a bundle in the export's layout: unit ids equal the
 * graphs run directly on the trainer's front end; collapsed runs expand back; decoding in a named
 * voice equals the graphs' generation; voice conversion resolves a reference recording's speaker;
 * each bad input is rejected with a message that names it.
 */
class VqvaeServingFamilyTest {

    @TempDir
    Path root;

    private static final FbankConfig FBANK = new FbankConfig(TinyVqvae.MEL, 25, 10, 20, 4000, 40);

    private Bundle bundle(VqvaeWeights w, String name) {
        Bundle written = TinyVqvae.write(root, name, w);
        return new ModelRegistry(root).load(name, Integer.toString(written.version()));
    }

    private static ServingContext context(String role) {
        return new ServingContext(role, SessionFactory.cpu(), Map.of());
    }

    @SuppressWarnings("unchecked")
    private static <I, O> Message.Builder serve(ServedModel<I, O> model, Message request, Message.Builder response) {
        I in = model.admit(request);
        O out = model.run(List.of(in), null).get(0);
        model.respond(in, out, response);
        return response;
    }

    private static Audio audio(float[] s) {
        Audio.Builder a = Audio.newBuilder().setSampleRate(8000);
        for (float v : s) {
            a.addSamples(v);
        }
        return a.build();
    }

    @Test
    void encoderGivesTheGraphsUnitIdsCollapsedOrNotWithLatents() {
        float[] tone = TinyVqvae.tone(8000, 0.7, 150);
        SpeechFeatures features = new SpeechFeatures(FBANK, AudioLimits.DEFAULT, TinyVqvae.FRAMES);
        VqvaeWeights noCodes = TinyVqvae.weights(1, "ae", "gru");
        float[][] toneLatents;
        try (OrtVqvae ort = new OrtVqvae(SessionFactory.cpu(), VqvaeGraphs.build(noCodes), TinyVqvae.MEL, TinyVqvae.DIM,
                noCodes.stateSize(), TinyVqvae.DOWN)) {
            toneLatents = ort.encode(new float[][][] {features.fromAudio(new AudioSignal(tone, 8000))}).latents()[0];
        }
        // codes 0 and 1 both near the tone's first latents, so that runs and changes both occur
        VqvaeWeights w = TinyVqvae.withCodebook(noCodes, new float[][] {toneLatents[0], toneLatents[3]});
        Bundle b = bundle(w, "units");
        assertEquals("vqvae", ServingFamilies.forManifest(b.manifest()).name());
        try (ServedModel<?, ?> enc = ServingFamilies.load(b, context("encoder"));
                OrtVqvae ort = new OrtVqvae(SessionFactory.cpu(), VqvaeGraphs.build(w), TinyVqvae.MEL, TinyVqvae.DIM, w.stateSize(),
                        TinyVqvae.DOWN)) {
            enc.warmUp();
            float[][] logMel = features.logMel(new AudioSignal(tone, 8000));
            long[] want = ort.encode(new float[][][] {FixedLengthFrames.resample(logMel, TinyVqvae.FRAMES)}).ids()[0];
            EncodeResponse plain = ((EncodeResponse.Builder) serve(enc, EncodeRequest.newBuilder().setAudio(audio(tone))
                    .setIncludeLatents(true).build(), EncodeResponse.newBuilder())).build();
            assertEquals(EncodeResponse.OutputCase.UNITS, plain.getOutputCase());
            long[] got = plain.getUnits().getIdsList().stream().mapToLong(Long::longValue).toArray();
            assertArrayEquals(want, got);
            assertEquals(TinyVqvae.CODES, plain.getUnits().getCodebookSize());
            assertEquals(want.length * TinyVqvae.DIM, plain.getUnits().getLatents().getValuesCount());
            assertEquals(want.length / (logMel.length * 0.01), plain.getUnits().getLatentRateHz(), 1e-3);
            assertTrue(java.util.Arrays.stream(want).distinct().count() > 1, "the tiny model uses several codes");
            EncodeResponse collapsed = ((EncodeResponse.Builder) serve(enc, EncodeRequest.newBuilder()
                    .setWav(ByteString.copyFrom(GriffinLim.wav(tone, 8000))).setCollapseRuns(true).build(),
                    EncodeResponse.newBuilder())).build();
            UnitSequence u = collapsed.getUnits();
            assertEquals(u.getIdsCount(), u.getRunLengthsCount());
            assertEquals(0, u.getLatents().getValuesCount(), "no latents unless asked");
            int k = 0;
            for (int i = 0; i < u.getIdsCount(); i++) {
                if (i > 0) {
                    assertTrue(u.getIds(i) != u.getIds(i - 1), "runs are collapsed");
                }
                for (int r = 0; r < u.getRunLengths(i); r++) {
                    assertEquals(want[k++], u.getIds(i), "expands back to the uncollapsed ids");
                }
            }
            assertEquals(want.length, k);
        }
    }

    @Test
    void decoderSpeaksUnitsInANamedVoiceAndConvertsVoicesInOneCall() {
        VqvaeWeights w = TinyVqvae.weights(2, "vq", "lstm");
        Bundle b = bundle(w, "vc");
        float[] tone = TinyVqvae.tone(8000, 0.6, 120);
        try (ServedModel<?, ?> dec = ServingFamilies.load(b, context("decoder"));
                OrtVqvae ort = new OrtVqvae(SessionFactory.cpu(), VqvaeGraphs.build(w), TinyVqvae.MEL, TinyVqvae.DIM, w.stateSize(),
                        TinyVqvae.DOWN)) {
            dec.warmUp();
            long[] ids = {1, 1, 5, 2, 7};
            DecodeResponse r = ((DecodeResponse.Builder) serve(dec, DecodeRequest.newBuilder()
                    .setUnits(UnitSequence.newBuilder().addIds(1).addIds(5).addIds(2).addIds(7)
                            .addRunLengths(2).addRunLengths(1).addRunLengths(1).addRunLengths(1))
                    .setSpeaker(SpeakerRef.newBuilder().setName("bob")).setWavOutput(true).build(),
                    DecodeResponse.newBuilder())).build();
            float[][][] want = ort.generate(ort.lookup(new long[][] {ids}), new long[] {1});
            assertEquals("bob", r.getSpeaker());
            assertEquals(TinyVqvae.MEL, r.getFrames().getFrameDim());
            assertEquals(ids.length * TinyVqvae.DOWN * TinyVqvae.MEL, r.getFrames().getValuesCount());
            for (int t = 0; t < want[0].length; t++) {
                for (int m = 0; m < TinyVqvae.MEL; m++) {
                    assertEquals(want[0][t][m], r.getFrames().getValues(t * TinyVqvae.MEL + m), 1e-5);
                }
            }
            AudioSignal wav = WavDecoder.decode(r.getWav().toByteArray(), 1 << 20);
            assertEquals(8000, wav.sampleRate());
            assertEquals((ids.length * TinyVqvae.DOWN - 1) * 80 + 200, wav.samples().length);
            // voice conversion: content from audio, voice from a reference recording given as frames
            SpeechFeatures features = new SpeechFeatures(FBANK, AudioLimits.DEFAULT, TinyVqvae.FRAMES);
            float[][] ref = features.logMel(new AudioSignal(TinyVqvae.tone(8000, 0.5, 260), 8000));
            FrameSequence.Builder refFrames = FrameSequence.newBuilder().setFrameDim(TinyVqvae.MEL);
            for (float[] row : ref) {
                for (float v : row) {
                    refFrames.addValues(v);
                }
            }
            DecodeResponse vc = ((DecodeResponse.Builder) serve(dec, DecodeRequest.newBuilder()
                    .setVoiceConversion(VoiceConversion.newBuilder().setContentAudio(audio(tone))
                            .setVoice(SpeakerRef.newBuilder().setFrames(refFrames)))
                    .build(), DecodeResponse.newBuilder())).build();
            long who = ort.identifySpeakers(new float[][][] {FixedLengthFrames.resample(ref, TinyVqvae.FRAMES)})[0];
            assertEquals(TinyVqvae.SPEAKERS.get((int) who), vc.getSpeaker());
            float[][] content = FixedLengthFrames.resample(features.logMel(new AudioSignal(tone, 8000)), TinyVqvae.FRAMES);
            float[][][] units = ort.encode(new float[][][] {content}).units();
            float[][][] conv = ort.generate(units, new long[] {who});
            assertEquals(TinyVqvae.FRAMES * TinyVqvae.MEL, vc.getFrames().getValuesCount());
            assertEquals(conv[0][3][7], vc.getFrames().getValues(3 * TinyVqvae.MEL + 7), 1e-5);
            assertTrue(vc.getWav().isEmpty(), "no WAV unless asked");
        }
    }

    @Test
    void badInputsAreRejectedWithMessagesThatNameThem() {
        Bundle b = bundle(TinyVqvae.weights(3, "vq", "gru"), "bad");
        Bundle ae = bundle(TinyVqvae.weights(4, "ae", "gru"), "plain");
        try (ServedModel<?, ?> enc = ServingFamilies.load(b, context("encoder"));
                ServedModel<?, ?> dec = ServingFamilies.load(b, context("decoder"));
                ServedModel<?, ?> aeDec = ServingFamilies.load(ae, context("decoder"))) {
            SpeakerRef bob = SpeakerRef.newBuilder().setName("bob").build();
            assertRejects(enc, EncodeRequest.newBuilder().build(), "input is required");
            assertRejects(enc, EncodeRequest.newBuilder().setTokens(TokenSequence.newBuilder().addTokens("a")).build(),
                    "tokens input is not supported");
            assertRejects(enc, EncodeRequest.newBuilder().setFrames(FrameSequence.newBuilder().setFrameDim(80).addValues(1)).build(),
                    "frame_dim is 80, the model takes 40");
            assertRejects(enc, EncodeRequest.newBuilder().setAudio(Audio.newBuilder().setSampleRate(44100).addSamples(0.1f)).build(),
                    "audio: unsupported sample rate 44100");
            assertRejects(enc, EncodeRequest.newBuilder().setWav(ByteString.copyFromUtf8("not a wav")).build(), "wav:");
            assertRejects(dec, DecodeRequest.newBuilder().setUnits(UnitSequence.newBuilder().addIds(3)).build(),
                    "speaker is required");
            assertRejects(dec, DecodeRequest.newBuilder().setUnits(UnitSequence.newBuilder().addIds(3).addIds(8))
                    .setSpeaker(bob).build(), "id 1 is 8, outside [0, 8)");
            assertRejects(dec, DecodeRequest.newBuilder().setUnits(UnitSequence.newBuilder()).setSpeaker(bob).build(),
                    "no ids given");
            assertRejects(dec, DecodeRequest.newBuilder().setUnits(UnitSequence.newBuilder().addIds(3).addRunLengths(0))
                    .setSpeaker(bob).build(), "run_lengths 0 is 0");
            assertRejects(dec, DecodeRequest.newBuilder().setUnits(UnitSequence.newBuilder().addIds(3).addIds(4).addRunLengths(2))
                    .setSpeaker(bob).build(), "1 run_lengths for 2 ids");
            assertRejects(dec, DecodeRequest.newBuilder().setUnits(UnitSequence.newBuilder().addIds(3).addRunLengths(251))
                    .setSpeaker(bob).build(), "more than 250 units");
            assertRejects(dec, DecodeRequest.newBuilder().setUnits(UnitSequence.newBuilder().addIds(3))
                    .setSpeaker(SpeakerRef.newBuilder().setName("zed")).build(), "unknown speaker 'zed'");
            assertRejects(dec, DecodeRequest.newBuilder().setUnits(UnitSequence.newBuilder().addIds(3))
                    .setSpeaker(SpeakerRef.newBuilder()).build(), "speaker is required: a speaker name");
            assertRejects(dec, DecodeRequest.newBuilder().setVoiceConversion(VoiceConversion.newBuilder().setVoice(bob)).build(),
                    "voice_conversion.content is required");
            assertRejects(dec, DecodeRequest.newBuilder().setVoiceConversion(VoiceConversion.newBuilder()
                    .setContentAudio(audio(TinyVqvae.tone(8000, 0.3, 200)))).build(), "voice_conversion.voice is required");
            assertRejects(dec, DecodeRequest.newBuilder().setVoiceConversion(VoiceConversion.newBuilder()
                    .setContentAudio(audio(TinyVqvae.tone(8000, 0.3, 200)))
                    .setVoice(SpeakerRef.newBuilder().setWav(ByteString.EMPTY))).build(), "voice_conversion.voice.wav: WAV data is empty");
            assertRejects(dec, DecodeRequest.newBuilder().setTokens(TokenSequence.newBuilder().addTokens("a")).build(),
                    "tokens input is not supported");
            assertRejects(aeDec, DecodeRequest.newBuilder().setUnits(UnitSequence.newBuilder().addIds(1)).setSpeaker(bob).build(),
                    "has no codebook");
        }
    }

    private static void assertRejects(ServedModel<?, ?> model, Message request, String fragment) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> model.admit(request));
        assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' should contain '" + fragment + "'");
    }
}
