package io.crossmodal.runtime.bundle;

import java.util.List;

/** One ONNX graph of a component: its file in the bundle and its signature. */
public record GraphSpec(String file, List<TensorSpec> inputs, List<TensorSpec> outputs) {

    public GraphSpec {
        inputs = inputs == null ? List.of() : List.copyOf(inputs);
        outputs = outputs == null ? List.of() : List.copyOf(outputs);
    }
}
