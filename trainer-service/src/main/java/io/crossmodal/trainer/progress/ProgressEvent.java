package io.crossmodal.trainer.progress;

import java.util.Map;

/** One progress report of a training job: what the console bar and the gRPC stream show. */
public record ProgressEvent(
        String component,
        String phase,
        int epoch,
        int epochs,
        long step,
        long totalSteps,
        Map<String, Double> losses,
        Map<String, Double> devMetrics,
        double elapsedSeconds,
        double etaSeconds,
        String message) {}
