package io.crossmodal.runtime.onnx;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/**
 * Creates ONNX Runtime sessions with the configured threads and execution provider. CUDA is used
 * when requested and it works; otherwise the factory warns once and falls back to CPU for good, so
 * a service on a machine without a usable GPU still starts. {@link #provider()} says what was used.
 */
public final class SessionFactory {

    private static final Logger LOG = Logger.getLogger(SessionFactory.class);

    private final OrtOptions options;
    private volatile ExecutionProvider provider;

    public SessionFactory(OrtOptions options) {
        this.options = options;
        ExecutionProvider chosen = options.provider();
        if (chosen == ExecutionProvider.CUDA && !OrtRuntime.cudaAvailable()) {
            LOG.warnf("CUDA execution provider requested (device %d) but this ONNX Runtime build only offers %s; using CPU",
                    options.cudaDeviceId(), OrtRuntime.availableProviders());
            chosen = ExecutionProvider.CPU;
        }
        this.provider = chosen;
        LOG.infof("ONNX Runtime sessions will use the %s execution provider%s (intra-op threads %s, inter-op threads %s, "
                + "spinning %s)", chosen, chosen == ExecutionProvider.CUDA ? " on device " + options.cudaDeviceId() : "",
                threads(options.intraOpThreads()), threads(options.interOpThreads()),
                options.spinning() == null ? "default" : options.spinning() ? "on" : "off");
    }

    public static SessionFactory cpu() {
        return new SessionFactory(OrtOptions.cpu());
    }

    /** The provider sessions are created with (after any fallback). */
    public ExecutionProvider provider() {
        return provider;
    }

    public OrtOptions options() {
        return options;
    }

    /** Creates a session from a serialized ModelProto. */
    public OrtSession create(byte[] model) {
        return create(so -> OrtRuntime.environment().createSession(model, so), "in-memory model");
    }

    public OrtSession create(Path modelFile) {
        return create(so -> OrtRuntime.environment().createSession(modelFile.toString(), so), modelFile.toString());
    }

    @FunctionalInterface
    private interface Creator {
        OrtSession create(OrtSession.SessionOptions options) throws OrtException;
    }

    /**
     * ONNX Runtime's native library load and graph optimisation run deep native recursion: on a
     * JVM thread with the default 1 MiB stack this overflowed (SIGSEGV, no hs_err, seen from the
     * trainer CLI's main thread). Session creation therefore runs on its own thread with a large
     * stack; it happens once per graph, so the extra thread costs nothing that matters.
     */
    private OrtSession create(Creator creator, String what) {
        OrtSession[] result = new OrtSession[1];
        RuntimeException[] failure = new RuntimeException[1];
        Thread t = new Thread(null, () -> {
            try {
                result[0] = createOnThisThread(creator, what);
            } catch (RuntimeException e) {
                failure[0] = e;
            }
        }, "ort-session-init", SESSION_INIT_STACK_BYTES);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InferenceException("interrupted while creating ONNX Runtime session for " + what, e);
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        return result[0];
    }

    private static final long SESSION_INIT_STACK_BYTES = 64L << 20;

    private OrtSession createOnThisThread(Creator creator, String what) {
        if (provider == ExecutionProvider.CUDA) {
            try (OrtSession.SessionOptions so = baseOptions()) {
                try (OrtCUDAProviderOptions cuda = new OrtCUDAProviderOptions(options.cudaDeviceId())) {
                    if (options.cudaMemoryLimitBytes() > 0) {
                        cuda.add("gpu_mem_limit", Long.toString(options.cudaMemoryLimitBytes()));
                    }
                    so.addCUDA(cuda);
                }
                return creator.create(so);
            } catch (OrtException | RuntimeException e) {
                // e.g. no driver / device: degrade to CPU rather than failing the service
                LOG.warnf(e, "CUDA execution provider (device %d) failed for %s; falling back to CPU",
                        options.cudaDeviceId(), what);
                provider = ExecutionProvider.CPU;
            }
        }
        try (OrtSession.SessionOptions so = baseOptions()) {
            return creator.create(so);
        } catch (OrtException e) {
            throw new InferenceException("could not create ONNX Runtime session for " + what + ": " + e.getMessage(), e);
        }
    }

    private OrtSession.SessionOptions baseOptions() throws OrtException {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        try {
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (options.intraOpThreads() > 0) {
                so.setIntraOpNumThreads(options.intraOpThreads());
            }
            if (options.interOpThreads() > 0) {
                so.setInterOpNumThreads(options.interOpThreads());
            }
            if (options.spinning() != null) {
                String spin = options.spinning() ? "1" : "0";
                so.addConfigEntry("session.intra_op.allow_spinning", spin);
                so.addConfigEntry("session.inter_op.allow_spinning", spin);
            }
            return so;
        } catch (OrtException | RuntimeException e) {
            so.close();
            throw e;
        }
    }

    private static String threads(int n) {
        return n == 0 ? "default" : Integer.toString(n);
    }
}
