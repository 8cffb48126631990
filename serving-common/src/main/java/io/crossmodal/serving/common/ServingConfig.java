package io.crossmodal.serving.common;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Optional;

/**
 * Configuration of the inference services ({@code crossmodal.*} keys; each service documents them in
 * its application.properties and README). The same keys for the encoder and the decoder: each process
 * serves one component, so they need no service-specific prefix.
 */
@ConfigMapping(prefix = "crossmodal")
public interface ServingConfig {

    Registry registry();

    /**
     * Models to load at startup, so the first request does not pay for loading: {@code name}
     * (production alias, else latest), {@code name/3} (a version) or {@code name@candidate} (an alias).
     * Other models are still loaded on first use.
     */
    Optional<List<String>> models();

    Onnx onnx();

    Serving serving();

    interface Registry {
        /** Root directory of the model registry ({@code <dir>/<model>/<version>/}). */
        @WithDefault("${user.home}/.cache/crossmodal/registry")
        String dir();
    }

    interface Onnx {
        /** ONNX Runtime execution provider: {@code cpu} or {@code cuda} (falls back to cpu if CUDA is unusable). */
        @WithDefault("cpu")
        String provider();

        /** CUDA device id. */
        @WithDefault("0")
        int deviceId();

        /** Cap on the CUDA provider's memory arena in bytes (ONNX Runtime gpu_mem_limit); 0 = no cap. */
        @WithDefault("0")
        long cudaMemoryLimit();

        /**
         * Intra-op threads per session: {@code auto} (the cores divided among the model's batch workers,
         * at least 1: {@link ServingThreads}), a number, or {@code 0} for ONNX Runtime's own default.
         */
        @WithDefault("auto")
        String intraOpThreads();

        /** Inter-op threads per session: {@code auto} (1: the graphs are sequential), a number, or 0 for ONNX Runtime's default. */
        @WithDefault("auto")
        String interOpThreads();

        /**
         * Whether ONNX Runtime's intra-op pool threads spin while waiting for work
         * ({@code session.intra_op.allow_spinning}): {@code auto} (off), {@code true} or {@code false}.
         * Spinning buys little latency and costs a core that the batch workers need.
         */
        @WithDefault("auto")
        String allowSpinning();

        /**
         * Whether a model that runs with more than one intra-op thread on the CPU provider also loads its graphs into
         * sessions with one intra-op thread, used for batches of one request (the seq2seq family): a lone small
         * request then runs as fast as in process instead of waking the pool's threads for every operator
         * (docs/BENCHMARKS.md 4.4). Costs the model's graphs a second time in memory.
         */
        @WithDefault("true")
        boolean soloSessions();
    }

    interface Serving {
        /** Beam width used when a request sets none (raised to n_best if smaller). */
        @WithDefault("4")
        int defaultBeamWidth();

        /** Largest beam width, n_best and number of samples a request may ask for. */
        @WithDefault("64")
        int maxBeamWidth();

        /** Largest max_length a request may ask for, and the cap of the default max length. */
        @WithDefault("200")
        int maxOutputLength();

        /** Longest input sequence accepted, in symbols. */
        @WithDefault("64")
        int maxInputLength();

        /**
         * Further limits and defaults by name for the model families ({@code crossmodal.serving.limits."<name>"}),
         * e.g. a family's longest audio input; a bundle's serving settings may lower a limit, never raise it.
         */
        java.util.Map<String, String> limits();

        /** How many (model, version) pairs are kept loaded; the least recently used is closed beyond. */
        @WithDefault("4")
        int cacheSize();
    }
}
