package io.crossmodal.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.recurrent.LSTM;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.UniformInitializer;
import ai.djl.ndarray.types.Shape;

/** Small helpers shared by the DJL blocks: layer factories with PyTorch's default initialisation. */
final class Layers {
    private Layers() {}

    /** DJL defaults to Xavier everywhere; PyTorch's uniform(+-1/sqrt(H)) converges faster for LSTMs. */
    static LSTM lstm(int hidden) {
        LSTM lstm = LSTM.builder().setStateSize(hidden).setNumLayers(1)
                .optBatchFirst(true).optReturnState(true).build();
        lstm.setInitializer(new UniformInitializer((float) (1.0 / Math.sqrt(hidden))), p -> true);
        return lstm;
    }

    static Linear linear(int in, int out, boolean bias) {
        Linear linear = Linear.builder().setUnits(out).optBias(bias).build();
        linear.setInitializer(new UniformInitializer((float) (1.0 / Math.sqrt(in))), p -> true);
        return linear;
    }

    static Parameter embedding(String name, int vocab, int dim) {
        Parameter p = Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(vocab, dim)).build();
        p.setInitializer(new NormalInitializer(1.0f));
        return p;
    }

    static NDArray embed(ParameterStore ps, Parameter table, NDArray tokens, boolean training) {
        NDArray w = ps.getValue(table, tokens.getDevice(), training);
        return tokens.getNDArrayInternal().embedding(tokens, w, SparseFormat.DENSE).head();
    }

    static NDArray apply(Block block, ParameterStore ps, NDArray x, boolean training) {
        return block.forward(ps, new NDList(x), training).head();
    }

    /** Runs an LSTM block from the given state; returns (output, h, c) with states as [N, H]. */
    static NDList runLstm(Block lstm, ParameterStore ps, NDArray x, NDArray h, NDArray c, boolean training) {
        NDList in = h == null ? new NDList(x) : new NDList(x, h.expandDims(0), c.expandDims(0));
        NDList out = lstm.forward(ps, in, training);
        return new NDList(out.get(0), out.get(1).squeeze(0), out.get(2).squeeze(0));
    }
}
