package io.crossmodal.family.seq2seq.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.family.seq2seq.onnx.Seq2SeqGraphs;
import io.crossmodal.family.seq2seq.onnx.Seq2SeqWeights;
import io.crossmodal.proto.common.v1.TokenSequence;
import io.crossmodal.proto.decoder.v1.DecodeRequest;
import io.crossmodal.proto.decoder.v1.DecodeResponse;
import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.BundleWriter;
import io.crossmodal.runtime.bundle.ComponentSpecs;
import io.crossmodal.runtime.bundle.FileContent;
import io.crossmodal.runtime.bundle.Manifest;
import io.crossmodal.runtime.bundle.ModelRegistry;
import io.crossmodal.runtime.bundle.ServingSpec;
import io.crossmodal.runtime.control.RunControl;
import io.crossmodal.runtime.family.InvalidInputException;
import io.crossmodal.runtime.family.ServedModel;
import io.crossmodal.runtime.family.ServingContext;
import io.crossmodal.runtime.family.ServingFamilies;
import io.crossmodal.runtime.onnx.OrtOptions;
import io.crossmodal.runtime.onnx.SessionFactory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seq2seq plug-in as a service sees it: found by ServiceLoader, loaded for a role, requests in, responses out. */
class Seq2SeqServingFamilyTest {

    static Bundle bundle(Path root, Map<String, ServingSpec> serving) {
        Seq2SeqWeights w = Seq2SeqWeights.random(Seq2SeqPredictorTest.GRAPHEMES.size(), Seq2SeqPredictorTest.PHONEMES.size(),
                8, 6, 10, 7);
        byte[] enc = Seq2SeqGraphs.encoder(w);
        byte[] dec = Seq2SeqGraphs.decoderStep(w);
        Manifest.Builder b = Manifest.builder("seq2seq")
                .vocabulary("graphemes", Seq2SeqPredictorTest.GRAPHEMES)
                .vocabulary("phonemes", Seq2SeqPredictorTest.PHONEMES)
                .component("g2p", ComponentSpecs.seq2seq("g2p", enc, dec, w.sizes(), "graphemes", "phonemes"));
        serving.forEach(b::serving);
        Map<String, FileContent> files = new LinkedHashMap<>();
        files.put(ComponentSpecs.encoderFile("g2p"), FileContent.of(enc));
        files.put(ComponentSpecs.decoderStepFile("g2p"), FileContent.of(dec));
        new BundleWriter(root).write("m", b.build(), files);
        return new ModelRegistry(root).load("m", "latest");
    }

    static ServingContext context(String role) {
        return new ServingContext(role, SessionFactory.cpu(), Map.of("maxInputLength", 64, "maxOutputLength", 50,
                "maxBeamWidth", 8, "defaultBeamWidth", 4));
    }

    static DecodeRequest request(String... tokens) {
        return DecodeRequest.newBuilder().setTokens(TokenSequence.newBuilder().addAllTokens(List.of(tokens))).build();
    }

    @Test
    @SuppressWarnings("unchecked")
    void aDecodeRequestGoesInAndItsSequencesComeOut(@TempDir Path root) {
        Bundle b = bundle(root, Map.of());
        assertEquals("seq2seq", ServingFamilies.forManifest(b.manifest()).name());
        try (ServedModel<Object, Object> model = (ServedModel<Object, Object>) ServingFamilies.load(b, context("decoder"))) {
            assertEquals("g2p", model.component(), "the decoder role's default component");
            model.warmUp();
            Object in = model.admit(request("c", "a", "t"));
            List<Object> out = model.run(List.of(in, model.admit(request("d", "o", "t"))), RunControl.NONE);
            assertEquals(2, out.size());
            DecodeResponse.Builder response = DecodeResponse.newBuilder();
            model.respond(in, out.get(0), response);
            assertEquals(1, response.getSequences().getSequencesCount(), "n_best 1 by default");
            assertEquals(model.batchKey(in), model.batchKey(model.admit(request("o"))), "same options, same batch");

            InvalidInputException unknown = assertThrows(InvalidInputException.class, () -> model.admit(request("c", "X")));
            assertTrue(unknown.getMessage().contains("unknown symbol 'X' at position 1"), unknown.getMessage());
            InvalidInputException none = assertThrows(InvalidInputException.class, () -> model.admit(DecodeRequest.getDefaultInstance()));
            assertTrue(none.getMessage().contains("input is required") && none.getMessage().contains("grapheme"), none.getMessage());
        }
        // the encoder role's default component (p2g) is not in this bundle
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServingFamilies.load(b, context("encoder")));
        assertTrue(e.getMessage().contains("p2g"), e.getMessage());
    }

    @Test
    void theBundlesServingSettingsApplyUnderTheServicesCeiling(@TempDir Path root) {
        ServingSpec decoder = new ServingSpec(null, 4, 1.0, null, Map.of("maxInputLength", 3, "maxBeamWidth", 100),
                Map.of("beamWidth", 2));
        ServingSpec encoder = new ServingSpec("g2p", null, null, null, null, null);
        Bundle b = bundle(root, Map.of("decoder", decoder, "encoder", encoder));
        try (ServedModel<?, ?> model = ServingFamilies.load(b, context("decoder"))) {
            Seq2SeqServedModel s = assertInstanceOf(Seq2SeqServedModel.class, model);
            assertEquals(new Seq2SeqLimits(3, 50, 8, 2), s.limits(), "the bundle lowers, the service caps");
            assertEquals(4, s.spec().maxBatchSize());
            InvalidInputException tooLong = assertThrows(InvalidInputException.class, () -> s.admit(request("c", "a", "t", "s")));
            assertTrue(tooLong.getMessage().contains("the limit is 3"), tooLong.getMessage());
            assertEquals(2, ((Seq2SeqServedModel.Input) s.admit(request("c", "a", "t"))).options().beamWidth(),
                    "the bundle's default beam width");
        }
        // the bundle names the component for the encoder role
        try (ServedModel<?, ?> model = ServingFamilies.load(b, context("encoder"))) {
            assertEquals("g2p", model.component());
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void aLoneRequestRunsOnTheSoloSessionsAndGetsTheSameAnswer(@TempDir Path root) {
        Bundle b = bundle(root, Map.of());
        ServingContext plain = context("decoder");
        ServingContext withSolo = new ServingContext("decoder", new SessionFactory(OrtOptions.cpu().withThreads(2, 1)),
                new SessionFactory(OrtOptions.cpu().withThreads(1, 1)), plain.settings());
        try (ServedModel<?, ?> loaded = ServingFamilies.load(b, withSolo);
                ServedModel<?, ?> without = ServingFamilies.load(b, plain)) {
            Seq2SeqServedModel s = assertInstanceOf(Seq2SeqServedModel.class, loaded);
            assertNotSame(s.predictor(), s.predictorFor(1), "a lone request runs on the solo sessions");
            assertSame(s.predictor(), s.predictorFor(2), "a batch runs on the main sessions");
            Seq2SeqServedModel n = assertInstanceOf(Seq2SeqServedModel.class, without);
            assertSame(n.predictor(), n.predictorFor(1), "no solo sessions in the context: one predictor for all");
            s.warmUp();
            for (String[] word : List.of(new String[] {"c", "a", "t"}, new String[] {"d", "o", "c", "k", "e", "t"})) {
                Seq2SeqServedModel.Input in = s.admit(request(word));
                List<ScoredSequence> alone = s.run(List.of(in), RunControl.NONE).get(0);
                List<ScoredSequence> main = s.predictor().transduce(new long[][] {in.sourceIds()}, List.of(in.options()),
                        RunControl.NONE).get(0);
                assertEquals(main.size(), alone.size());
                for (int i = 0; i < main.size(); i++) {
                    assertEquals(main.get(i).symbols(), alone.get(i).symbols(), "same hypotheses, one thread or two");
                    assertEquals(main.get(i).logProb(), alone.get(i).logProb(), 1e-4);
                }
            }
        }
    }
}
