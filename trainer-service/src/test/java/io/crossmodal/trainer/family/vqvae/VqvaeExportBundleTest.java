package io.crossmodal.trainer.family.vqvae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import io.crossmodal.family.vqvae.model.VqvaeWeights;
import io.crossmodal.family.vqvae.onnx.VqvaeGraphs;
import io.crossmodal.proto.common.v1.FrameSequence;
import io.crossmodal.proto.common.v1.SpeakerRef;
import io.crossmodal.proto.common.v1.UnitSequence;
import io.crossmodal.proto.decoder.v1.DecodeRequest;
import io.crossmodal.proto.decoder.v1.DecodeResponse;
import io.crossmodal.proto.encoder.v1.EncodeRequest;
import io.crossmodal.proto.encoder.v1.EncodeResponse;
import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.ModelRegistry;
import io.crossmodal.runtime.family.ServedModel;
import io.crossmodal.runtime.family.ServingContext;
import io.crossmodal.runtime.family.ServingFamilies;
import io.crossmodal.runtime.onnx.SessionFactory;
import io.crossmodal.trainer.family.pvae.data.SpokenDigit;
import io.crossmodal.trainer.family.vqvae.data.VqvaeData;
import io.crossmodal.trainer.family.vqvae.model.VqvaeNet;
import io.crossmodal.trainer.family.vqvae.train.VqvaeExport;
import io.crossmodal.trainer.family.vqvae.train.VqvaeTrainer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A trained model written as a registry bundle is served by the plug-in with the trainer's own units and speakers. */
class VqvaeExportBundleTest {

    @TempDir
    Path dir;

    @SuppressWarnings("unchecked")
    private static <I, O> com.google.protobuf.Message.Builder serve(ServedModel<I, O> model, com.google.protobuf.Message request,
            com.google.protobuf.Message.Builder response) {
        I in = model.admit(request);
        O out = model.run(List.of(in), null).get(0);
        model.respond(in, out, response);
        return response;
    }

    @Test
    void exportedBundleServesTheTrainersUnits() throws Exception {
        VqvaeData data = VqvaeTestModels.syntheticData();
        VqvaeConfig cfg = VqvaeTestModels.tiny("vq", "gru", true, false, 1);
        try (NDManager m = NDManager.newBaseManager()) {
            VqvaeNet net = new VqvaeTrainer(cfg, data, e -> { }, "export").train(m, dir.resolve("run")).net();
            VqvaeWeights w = VqvaeExport.weights(net, data);
            Bundle written = VqvaeExport.toRegistry(dir.resolve("registry"), "units", w, VqvaeGraphs.build(w),
                    Map.of("digit_probe_mlp", 0.5));
            Bundle b = new ModelRegistry(dir.resolve("registry")).load("units", Integer.toString(written.version()));
            assertEquals("vqvae", b.manifest().family());
            assertEquals(0.5, ((Number) b.manifest().metrics().get("digit_probe_mlp")).doubleValue(), 0);
            SpokenDigit d = data.test().get(0);
            FrameSequence.Builder f = FrameSequence.newBuilder().setFrameDim(data.melBins());
            for (float v : d.features()) {
                f.addValues(v);
            }
            try (ServedModel<?, ?> enc = ServingFamilies.load(b, new ServingContext("encoder", SessionFactory.cpu(), Map.of()));
                    ServedModel<?, ?> dec = ServingFamilies.load(b, new ServingContext("decoder", SessionFactory.cpu(), Map.of()))) {
                UnitSequence u = ((EncodeResponse.Builder) serve(enc, EncodeRequest.newBuilder().setFrames(f).build(),
                        EncodeResponse.newBuilder())).getUnits();
                long[] want = net.bottleneck(VqvaeTrainer.frames(m, List.of(d), data), false, new Random(0)).ids().toLongArray();
                assertArrayEquals(want, u.getIdsList().stream().mapToLong(Long::longValue).toArray());
                DecodeResponse r = ((DecodeResponse.Builder) serve(dec, DecodeRequest.newBuilder().setUnits(u)
                        .setSpeaker(SpeakerRef.newBuilder().setName(data.speakers().get(2))).build(),
                        DecodeResponse.newBuilder())).build();
                assertEquals(data.speakers().get(2), r.getSpeaker());
                assertEquals(want.length * cfg.downsample() * data.melBins(), r.getFrames().getValuesCount());
            }
        }
    }
}
