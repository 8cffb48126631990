package io.crossmodal.runtime.bundle;

import java.util.List;

/** A graph input or output as recorded in the manifest, e.g. {@code tokens int64 [B, T]}. */
public record TensorSpec(String name, String dtype, List<String> shape) {

    public TensorSpec {
        shape = shape == null ? List.of() : List.copyOf(shape);
    }
}
