package io.crossmodal.runtime.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.onnxruntime.OrtSession;
import org.junit.jupiter.api.Test;

class SessionFactoryTest {

    @Test
    void cudaRequestFallsBackToCpuWhenUnavailable() throws Exception {
        SessionFactory f = new SessionFactory(OrtOptions.cuda(0).withThreads(1, 1));
        try (OrtSession s = f.create(identity(4))) {
            assertEquals(4, ((ai.onnxruntime.TensorInfo) s.getOutputInfo().get("h_out").getInfo()).getShape()[1]);
        }
        // on a CUDA-enabled build with a working GPU the factory keeps CUDA, otherwise CPU
        ExecutionProvider expected = OrtRuntime.cudaAvailable() ? f.provider() : ExecutionProvider.CPU;
        assertEquals(expected, f.provider());
    }

    @Test
    void parsesProviderNames() {
        assertEquals(ExecutionProvider.CUDA, ExecutionProvider.parse(" CUDA "));
        assertEquals(ExecutionProvider.CPU, ExecutionProvider.parse("cpu"));
        assertThrows(IllegalArgumentException.class, () -> ExecutionProvider.parse("tpu"));
    }

    @Test
    void invalidModelIsAnInferenceException() {
        assertThrows(InferenceException.class, () -> SessionFactory.cpu().create(new byte[] {1, 2, 3}));
    }

    /** A one-node graph x -> h_out of shape [batch, width]. */
    private static byte[] identity(int width) {
        OnnxGraphBuilder g = new OnnxGraphBuilder("identity");
        g.input("x", OnnxGraphBuilder.FLOAT, "batch", width);
        g.op("Identity", "h_out", "x");
        g.output("h_out", OnnxGraphBuilder.FLOAT, "batch", width);
        return g.build("test");
    }
}
