package io.crossmodal.family.pvae.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.crossmodal.family.pvae.onnx.Latents;
import io.crossmodal.family.pvae.onnx.OrtPvae;
import io.crossmodal.family.pvae.testing.TinyPvae;
import io.crossmodal.features.audio.AudioLimits;
import io.crossmodal.features.audio.AudioSignal;
import io.crossmodal.features.audio.FbankConfig;
import io.crossmodal.features.audio.SpeechFeatures;
import io.crossmodal.proto.common.v1.Audio;
import io.crossmodal.proto.common.v1.Image;
import io.crossmodal.proto.common.v1.Latent;
import io.crossmodal.proto.common.v1.LatentPartition;
import io.crossmodal.proto.common.v1.LatentPartitions;
import io.crossmodal.proto.common.v1.Modality;
import io.crossmodal.proto.decoder.v1.CrossModal;
import io.crossmodal.proto.decoder.v1.DecodeRequest;
import io.crossmodal.proto.decoder.v1.DecodeResponse;
import io.crossmodal.proto.encoder.v1.EncodeRequest;
import io.crossmodal.proto.encoder.v1.EncodeResponse;
import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.ModelRegistry;
import io.crossmodal.runtime.family.InvalidInputException;
import io.crossmodal.runtime.family.ServedModel;
import io.crossmodal.runtime.family.ServingContext;
import io.crossmodal.runtime.family.ServingFamilies;
import io.crossmodal.runtime.onnx.SessionFactory;
import io.crossmodal.family.pvae.model.PvaeWeights;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plug-in found by ServiceLoader serves a bundle in the export's layout: latents equal the ONNX
 * graphs run directly on the trainer's features; cross-modal generation; each bad input rejected with
 * its message; the bundle's audio limit under the service's ceiling.
 */
class PvaeServingFamilyTest {

    @TempDir
    Path root;

    private static ServingContext context(String role, Map<String, Object> settings) {
        return new ServingContext(role, SessionFactory.cpu(), settings);
    }

    private Bundle bundle(PvaeWeights w, Map<String, Number> limits) {
        Bundle written = TinyPvae.write(root, "digits", w, limits);
        return new ModelRegistry(root).load("digits", Integer.toString(written.version()));
    }

    @SuppressWarnings("unchecked")
    private static <I, O> Message.Builder serve(ServedModel<I, O> model, Message request, Message.Builder response) {
        I in = model.admit(request);
        O out = model.run(List.of(in), null).get(0);
        model.respond(in, out, response);
        return response;
    }

    @Test
    void encoderMatchesTheGraphsOnTheTrainersFeatures() {
        PvaeWeights w = TinyPvae.weights(1, true, true);
        Bundle b = bundle(w, Map.of());
        assertEquals("pvae", ServingFamilies.forManifest(b.manifest()).name());
        float[] tone = TinyPvae.tone(8000, 0.6, 220);
        SpeechFeatures features = new SpeechFeatures(FbankConfig.DEFAULT, AudioLimits.DEFAULT, TinyPvae.FRAMES);
        try (ServedModel<?, ?> enc = ServingFamilies.load(b, context("encoder", Map.of()));
                OrtPvae ort = new OrtPvae(SessionFactory.cpu(), TinyPvae.graphs(w), TinyPvae.FRAMES, TinyPvae.MEL)) {
            enc.warmUp();
            assertEquals("pvae", enc.component());
            Audio.Builder audio = Audio.newBuilder().setSampleRate(8000);
            for (float s : tone) {
                audio.addSamples(s);
            }
            EncodeResponse.Builder r = (EncodeResponse.Builder) serve(enc, EncodeRequest.newBuilder().setAudio(audio).build(),
                    EncodeResponse.newBuilder());
            Latents direct = ort.encodeSpeech(new float[][][] {features.fromAudio(new AudioSignal(tone, 8000))});
            assertPartitions(direct, r.getPartitions());

            // WAV bytes: the same front end on the 16-bit samples the file carries
            r = (EncodeResponse.Builder) serve(enc, EncodeRequest.newBuilder()
                    .setWav(ByteString.copyFrom(TinyPvae.wav(tone, 8000))).build(), EncodeResponse.newBuilder());
            direct = ort.encodeSpeech(new float[][][] {features.fromAudio(new AudioSignal(TinyPvae.quantised(tone), 8000))});
            assertPartitions(direct, r.getPartitions());

            float[] pixels = TinyPvae.image(5);
            r = (EncodeResponse.Builder) serve(enc, EncodeRequest.newBuilder().setImage(image(pixels)).build(),
                    EncodeResponse.newBuilder());
            assertPartitions(ort.encodeImages(new float[][] {pixels}), r.getPartitions());
        }
    }

    @Test
    void decoderGeneratesFromLatentsAndAcrossModalities() {
        PvaeWeights w = TinyPvae.weights(2, true, true);
        Bundle b = bundle(w, Map.of());
        float[] tone = TinyPvae.tone(16000, 0.5, 180);
        float[] pixels = TinyPvae.image(6);
        SpeechFeatures features = new SpeechFeatures(FbankConfig.DEFAULT, AudioLimits.DEFAULT, TinyPvae.FRAMES);
        try (ServedModel<?, ?> dec = ServingFamilies.load(b, context("decoder", Map.of()));
                OrtPvae ort = new OrtPvae(SessionFactory.cpu(), TinyPvae.graphs(w), TinyPvae.FRAMES, TinyPvae.MEL)) {
            dec.warmUp();
            Audio.Builder audio = Audio.newBuilder().setSampleRate(16000);
            for (float s : tone) {
                audio.addSamples(s);
            }
            DecodeResponse.Builder r = (DecodeResponse.Builder) serve(dec, DecodeRequest.newBuilder().setCrossModal(
                    CrossModal.newBuilder().setContentAudio(audio).setStyleImage(image(pixels))).build(), DecodeResponse.newBuilder());
            assertEquals(28, r.getImage().getHeight());
            assertEquals(784, r.getImage().getPixelsCount());
            float[] shared = ort.encodeSpeech(new float[][][] {features.fromAudio(new AudioSignal(tone, 16000))}).sharedMean()[0];
            float[] style = ort.encodeImages(new float[][] {pixels}).styleMean()[0];
            float[] expected = ort.decodeImages(new float[][] {shared}, new float[][] {style})[0];
            for (int i = 0; i < 784; i++) {
                assertEquals(expected[i], r.getImage().getPixels(i), 1e-5f, "pixel " + i);
            }
            // latents -> speech frames
            r = (DecodeResponse.Builder) serve(dec, DecodeRequest.newBuilder().setOutputModality(Modality.MODALITY_SPEECH)
                    .setPartitions(partitions(shared, style)).build(), DecodeResponse.newBuilder());
            assertEquals(TinyPvae.MEL, r.getFrames().getFrameDim());
            float[][] frames = ort.decodeSpeech(new float[][] {shared}, new float[][] {style})[0];
            assertEquals(TinyPvae.FRAMES * TinyPvae.MEL, r.getFrames().getValuesCount());
            assertEquals(frames[2][7], r.getFrames().getValues(2 * TinyPvae.MEL + 7), 1e-4f);
        }
    }

    @Test
    void badInputsAreRejectedWithTheirReason() {
        Bundle b = bundle(TinyPvae.weights(3, true, true), Map.of(PvaeLimits.MAX_AUDIO_SECONDS, 1.0));
        try (ServedModel<?, ?> enc = ServingFamilies.load(b, context("encoder", Map.of(PvaeLimits.MAX_AUDIO_SECONDS, 5.0)));
                ServedModel<?, ?> dec = ServingFamilies.load(b, context("decoder", Map.of()))) {
            rejects(enc, EncodeRequest.newBuilder().setAudio(audio(8000, TinyPvae.tone(8000, 1.5, 200))).build(),
                    "audio too long: 1.50 s, the limit is 1.00 s");
            rejects(enc, EncodeRequest.newBuilder().setAudio(audio(44100, TinyPvae.tone(44100, 0.2, 200))).build(),
                    "unsupported sample rate 44100");
            float[] nan = TinyPvae.tone(8000, 0.3, 200);
            nan[17] = Float.NaN;
            rejects(enc, EncodeRequest.newBuilder().setAudio(audio(8000, nan)).build(), "audio sample 17 is NaN");
            float[] px = TinyPvae.image(1);
            px[3] = Float.POSITIVE_INFINITY;
            rejects(enc, EncodeRequest.newBuilder().setImage(image(px)).build(), "pixel 3 is Infinity");
            rejects(enc, EncodeRequest.newBuilder().setImage(Image.newBuilder().setHeight(14).setWidth(56).setChannels(1)
                    .addAllPixels(boxed(TinyPvae.image(2)))).build(), "image is 14x56, the model takes 28x28");
            rejects(enc, EncodeRequest.newBuilder().setWav(ByteString.copyFromUtf8("not a wav file at all")).build(),
                    "not a readable WAV file");
            rejects(enc, EncodeRequest.newBuilder().build(), "input is required");
            rejects(dec, DecodeRequest.newBuilder().setOutputModality(Modality.MODALITY_IMAGE)
                    .setPartitions(partitions(new float[TinyPvae.SHARED + 1], new float[TinyPvae.STYLE])).build(),
                    "partition 'shared' has 5 values, the model's is of size 4");
            rejects(dec, DecodeRequest.newBuilder().setPartitions(partitions(new float[TinyPvae.SHARED], new float[TinyPvae.STYLE]))
                    .build(), "output_modality is required");
            rejects(dec, DecodeRequest.newBuilder().setCrossModal(CrossModal.newBuilder().setContentImage(image(TinyPvae.image(1)))
                    .setStyleImage(image(TinyPvae.image(2)))).build(), "both image");
        }
        // an image-only model: a speech input is refused, saying so
        Bundle images = bundle(TinyPvae.weights(4, false, true), Map.of());
        try (ServedModel<?, ?> enc = ServingFamilies.load(images, context("encoder", Map.of()));
                ServedModel<?, ?> dec = ServingFamilies.load(images, context("decoder", Map.of()))) {
            rejects(enc, EncodeRequest.newBuilder().setWav(ByteString.copyFrom(TinyPvae.wav(TinyPvae.tone(8000, 0.3, 200), 8000)))
                    .build(), "has no speech encoder");
            rejects(dec, DecodeRequest.newBuilder().setCrossModal(CrossModal.newBuilder()
                    .setContentAudio(audio(8000, TinyPvae.tone(8000, 0.3, 200))).setStyleImage(image(TinyPvae.image(2)))).build(),
                    "has no speech encoder");
        }
    }

    private static void rejects(ServedModel<?, ?> model, Message request, String expected) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> model.admit(request));
        assertTrue(e.getMessage().contains(expected), "'" + e.getMessage() + "' should contain '" + expected + "'");
    }

    static Audio audio(int rate, float[] samples) {
        return Audio.newBuilder().setSampleRate(rate).addAllSamples(boxed(samples)).build();
    }

    static Image image(float[] pixels) {
        return Image.newBuilder().setHeight(28).setWidth(28).setChannels(1).addAllPixels(boxed(pixels)).build();
    }

    static List<Float> boxed(float[] v) {
        Float[] out = new Float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return List.of(out);
    }

    static LatentPartitions partitions(float[] shared, float[] style) {
        return LatentPartitions.newBuilder()
                .addPartitions(LatentPartition.newBuilder().setName("shared").setLatent(Latent.newBuilder().addAllMean(boxed(shared))))
                .addPartitions(LatentPartition.newBuilder().setName("style").setLatent(Latent.newBuilder().addAllMean(boxed(style))))
                .build();
    }

    private static void assertPartitions(Latents expected, LatentPartitions got) {
        assertEquals(2, got.getPartitionsCount());
        assertEquals("shared", got.getPartitions(0).getName());
        assertEquals("style", got.getPartitions(1).getName());
        assertArrayEquals(expected.sharedMean()[0], unboxed(got.getPartitions(0).getLatent().getMeanList()), 1e-5f);
        assertArrayEquals(expected.sharedLogVar()[0], unboxed(got.getPartitions(0).getLatent().getLogVarianceList()), 1e-5f);
        assertArrayEquals(expected.styleMean()[0], unboxed(got.getPartitions(1).getLatent().getMeanList()), 1e-5f);
        assertArrayEquals(expected.styleLogVar()[0], unboxed(got.getPartitions(1).getLatent().getLogVarianceList()), 1e-5f);
    }

    private static float[] unboxed(List<Float> v) {
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.get(i);
        }
        return out;
    }
}
