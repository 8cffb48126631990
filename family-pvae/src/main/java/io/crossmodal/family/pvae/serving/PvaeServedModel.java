package io.crossmodal.family.pvae.serving;

import io.crossmodal.runtime.bundle.ServingSpec;
import io.crossmodal.runtime.family.ServedModel;

/**
 * What the PVAE's encoder and decoder roles share: the loaded graphs of one bundle, the role's
 * serving settings, the bundle component they serve, and closing the graphs with the model.
 */
abstract class PvaeServedModel<I, O> implements ServedModel<I, O> {

    protected final PvaeModel model;
    private final ServingSpec spec;

    PvaeServedModel(PvaeModel model, ServingSpec spec) {
        this.model = model;
        this.spec = spec;
    }

    @Override
    public String component() {
        return PvaeBundleLayout.COMPONENT;
    }

    @Override
    public ServingSpec spec() {
        return spec;
    }

    @Override
    public void close() {
        model.close();
    }
}
