package io.crossmodal.runtime.family;

import io.crossmodal.runtime.bundle.ServingSpec;

/**
 * Base of a served model whose encoder and decoder roles share one loaded model object of a single-component
 * bundle (PVAE, VQ-VAE): the model, the component it serves, the role's serving settings, and closing the
 * model's graphs with the served model.
 *
 * @param <M> the family's loaded model (its ONNX Runtime sessions)
 */
public abstract class ComponentServedModel<M, I, O> implements ServedModel<I, O> {

    protected final M model;
    private final String component;
    private final ServingSpec spec;
    private final Runnable closer;

    protected ComponentServedModel(String component, M model, ServingSpec spec, Runnable closer) {
        this.component = component;
        this.model = model;
        this.spec = spec;
        this.closer = closer;
    }

    @Override
    public String component() {
        return component;
    }

    @Override
    public ServingSpec spec() {
        return spec;
    }

    @Override
    public void close() {
        closer.run();
    }
}
