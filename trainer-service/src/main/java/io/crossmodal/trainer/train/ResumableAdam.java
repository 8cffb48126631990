package io.crossmodal.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.ParameterTracker;
import ai.djl.util.Pair;
import ai.djl.util.Preconditions;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * DJL's Adam with its state readable and restorable. DJL's {@code Adam} keeps its moments and
 * update counts in private fields, so a checkpoint cannot hold them; this class does the same
 * arithmetic (the same engine kernel, {@code NDArrayEx.adamUpdate}, with the same arguments, and
 * DJL's update-count rule) and exposes the state by parameter name. {@code ResumableAdamTest}
 * checks that it updates exactly as DJL's Adam does.
 */
public final class ResumableAdam extends Optimizer {
    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPSILON = 1e-8f;

    private final ParameterTracker learningRate;
    private final Map<String, NDArray> means = new HashMap<>();
    private final Map<String, NDArray> variances = new HashMap<>();
    private final Map<String, Integer> counts = new HashMap<>();
    private int numUpdate;

    public ResumableAdam(ParameterTracker learningRate) {
        super(new Builder());
        this.learningRate = learningRate;
    }

    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        // DJL's Optimizer.updateCount: the global maximum of the per-parameter counts
        int count = counts.merge(parameterId, 1, Integer::sum);
        numUpdate = Math.max(numUpdate, count);
        int t = numUpdate;
        double coef1 = 1.0 - Math.pow(BETA1, t);
        double coef2 = 1.0 - Math.pow(BETA2, t);
        float lr = learningRate.getNewValue(parameterId, t);
        float lrBiasCorrection = (float) (lr * Math.sqrt(coef2) / coef1);
        float weightDecay = getWeightDecay();
        Preconditions.checkArgument(Float.isFinite(lr) && Float.isFinite(weightDecay),
                "learning rate or weight decay is nan or infinite");
        NDArray mean = means.computeIfAbsent(parameterId, k -> weight.zerosLike());
        NDArray variance = variances.computeIfAbsent(parameterId, k -> weight.zerosLike());
        NDList inputs = new NDList(weight, grad, mean, variance);
        weight.getNDArrayInternal().adamUpdate(inputs, new NDList(weight), lr, lrBiasCorrection, weightDecay, rescaleGrad,
                clipGrad, BETA1, BETA2, EPSILON, true, false);
    }

    /** The moments of the block's parameters (empty before the first update), by name. */
    public AdamMoments export(Block block, long trainerStep) {
        Map<String, float[]> m = new LinkedHashMap<>();
        Map<String, float[]> v = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            NDArray mean = means.get(p.getValue().getId());
            if (mean != null) {
                m.put(p.getKey(), mean.toFloatArray());
                v.put(p.getKey(), variances.get(p.getValue().getId()).toFloatArray());
            }
        }
        return new AdamMoments(numUpdate, trainerStep, m, v);
    }

    /** Replaces the state by a checkpoint's, for the block's parameters of the same names and sizes. */
    public void restore(Block block, AdamMoments state) {
        means.values().forEach(NDArray::close);
        variances.values().forEach(NDArray::close);
        means.clear();
        variances.clear();
        counts.clear();
        for (Pair<String, Parameter> p : block.getParameters()) {
            float[] m = state.mean().get(p.getKey());
            if (m == null) {
                continue;
            }
            NDArray w = p.getValue().getArray();
            if (m.length != w.size()) {
                throw new IllegalArgumentException("Adam state of " + p.getKey() + " has " + m.length
                        + " values, the parameter " + w.size());
            }
            String id = p.getValue().getId();
            NDArray mean = w.zerosLike();
            mean.set(m);
            NDArray variance = w.zerosLike();
            variance.set(state.variance().get(p.getKey()));
            means.put(id, mean);
            variances.put(id, variance);
            counts.put(id, (int) state.updates());
        }
        numUpdate = (int) state.updates();
    }

    private static final class Builder extends OptimizerBuilder<Builder> {
        @Override
        protected Builder self() {
            return this;
        }
    }
}
