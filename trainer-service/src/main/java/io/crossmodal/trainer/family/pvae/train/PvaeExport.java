package io.crossmodal.trainer.family.pvae.train;

import io.crossmodal.runtime.io.Json;
import io.crossmodal.family.pvae.serving.PvaeBundleLayout;
import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.BundleWriter;
import io.crossmodal.runtime.bundle.FileContent;
import io.crossmodal.runtime.bundle.Manifest;
import java.time.Instant;

import io.crossmodal.family.pvae.model.PvaeWeights;
import io.crossmodal.family.pvae.onnx.OrtPvae;
import io.crossmodal.family.pvae.onnx.PvaeGraphs;
import io.crossmodal.features.audio.FbankConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a trained model's serving graphs ({@code speech_encoder.onnx}, {@code image_encoder.onnx},
 * {@code speech_decoder.onnx}, {@code image_decoder.onnx}, those the variant has) and
 * {@code pvae.json} (sizes, front-end settings, data source, metrics) into a directory, and, on
 * request, a registry bundle in the layout the serving plug-in reads ({@link PvaeBundleLayout}: manifest
 * {@code family: "pvae"}, {@code serving.encoder} / {@code serving.decoder}, the evaluation's metrics).
 */
public final class PvaeExport {

    private PvaeExport() {
    }

    public static OrtPvae.Graphs graphs(PvaeWeights w) {
        return PvaeGraphs.all(w);
    }

    public static void write(Path dir, String variant, PvaeWeights w, OrtPvae.Graphs g, String dataSource,
            Map<String, Object> metrics) throws IOException {
        Files.createDirectories(dir);
        writeIf(dir.resolve("speech_encoder.onnx"), g.speechEncoder());
        writeIf(dir.resolve("image_encoder.onnx"), g.imageEncoder());
        writeIf(dir.resolve("speech_decoder.onnx"), g.speechDecoder());
        writeIf(dir.resolve("image_decoder.onnx"), g.imageDecoder());
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("family", "pvae");
        meta.put("variant", variant);
        meta.put("frames", w.frames());
        meta.put("melBins", w.melBins());
        meta.put("sharedDim", w.imageDecoder() != null ? w.imageDecoder().sharedDim() : w.speechDecoder().sharedDim());
        meta.put("styleDim", w.imageDecoder() != null ? w.imageDecoder().styleDim() : w.speechDecoder().styleDim());
        meta.put("filterbank", FbankConfig.DEFAULT);
        meta.put("speechData", dataSource);
        meta.put("metrics", metrics);
        Json.MAPPER.writeValue(dir.resolve("pvae.json").toFile(), meta);
    }

    /** Writes the model as the next version of {@code model} in the registry at {@code registryDir}. */
    public static Bundle toRegistry(Path registryDir, String model, PvaeWeights w, OrtPvae.Graphs g, Map<String, Double> metrics) {
        var content = PvaeBundleLayout.content(w, g, Map.of());
        Manifest.Builder draft = content.manifest().createdAt(Instant.now());
        metrics.forEach(draft::metric);
        Map<String, FileContent> files = new LinkedHashMap<>();
        content.files().forEach((name, bytes) -> files.put(name, FileContent.of(bytes)));
        return new BundleWriter(registryDir).write(model, draft.build(), files);
    }

    private static void writeIf(Path file, byte[] graph) throws IOException {
        if (graph != null) {
            Files.write(file, graph);
        }
    }
}
