package io.crossmodal.trainer.family.pvae;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import io.crossmodal.family.pvae.model.Normalizer;
import io.crossmodal.family.pvae.model.PvaeWeights;
import io.crossmodal.family.pvae.onnx.Latents;
import io.crossmodal.family.pvae.onnx.OrtPvae;
import io.crossmodal.proto.common.v1.Image;
import io.crossmodal.proto.encoder.v1.EncodeRequest;
import io.crossmodal.proto.encoder.v1.EncodeResponse;
import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.ModelRegistry;
import io.crossmodal.runtime.family.ServedModel;
import io.crossmodal.runtime.family.ServingContext;
import io.crossmodal.runtime.family.ServingFamilies;
import io.crossmodal.runtime.onnx.SessionFactory;
import io.crossmodal.trainer.family.pvae.model.PvaeNet;
import io.crossmodal.trainer.family.pvae.train.PvaeExport;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer's export writes a registry bundle the serving plug-in accepts: manifest family
 * {@code pvae}, serving settings for both roles, the evaluation's metrics; served latents equal the
 * exported graphs run directly.
 */
class PvaeExportBundleTest {

    private static final int T = 3;
    private static final int M = 80;

    @TempDir
    Path registry;

    @Test
    void exportedBundleIsServedByThePlugin() {
        Random rnd = new Random(5);
        try (NDManager m = NDManager.newBaseManager()) {
            PvaeWeights w = new PvaeNet(PvaeTestModels.tiny("pvae"), T * M, m).toWeights(Normalizer.identity(T * M), T, M);
            OrtPvae.Graphs graphs = PvaeExport.graphs(w);
            Bundle written = PvaeExport.toRegistry(registry, "digits", w, graphs,
                    Map.of("speech_shared_purity", 0.91, "crossmodal_accuracy", 0.8));
            Bundle b = new ModelRegistry(registry).load("digits", Integer.toString(written.version()));
            assertEquals("pvae", b.manifest().family());
            assertEquals("pvae", b.manifest().servingFor("encoder").component());
            assertEquals("pvae", b.manifest().servingFor("decoder").component());
            assertEquals(0.8, ((Number) b.manifest().metrics().get("crossmodal_accuracy")).doubleValue(), 1e-12);
            float[] pixels = new float[784];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = rnd.nextFloat();
            }
            Image.Builder image = Image.newBuilder().setHeight(28).setWidth(28).setChannels(1);
            for (float p : pixels) {
                image.addPixels(p);
            }
            try (ServedModel<?, ?> enc = ServingFamilies.load(b, new ServingContext("encoder", SessionFactory.cpu(), Map.of()));
                    OrtPvae direct = new OrtPvae(SessionFactory.cpu(), graphs, T, M)) {
                EncodeResponse.Builder r = EncodeResponse.newBuilder();
                serve(enc, EncodeRequest.newBuilder().setImage(image).build(), r);
                Latents expected = direct.encodeImages(new float[][] {pixels});
                List<Float> got = r.getPartitions().getPartitions(0).getLatent().getMeanList();
                assertEquals(expected.sharedMean()[0].length, got.size());
                for (int i = 0; i < got.size(); i++) {
                    assertEquals(expected.sharedMean()[0][i], got.get(i), 1e-5f);
                }
                assertEquals("style", r.getPartitions().getPartitions(1).getName());
            }
        }
    }

    private static <I, O> void serve(ServedModel<I, O> model, EncodeRequest request, EncodeResponse.Builder response) {
        I in = model.admit(request);
        model.respond(in, model.run(List.of(in), null).get(0), response);
    }
}
