package io.crossmodal.trainer.family.pvae.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.crossmodal.trainer.train.AdamMoments;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adam (Kingma and Ba; PyTorch's defaults beta1 0.9, beta2 0.999, eps 1e-8) over a map of
 * parameters. DJL's {@code Optimizer.update}, called outside a DJL {@code Trainer}, left its
 * per-step temporaries in the parameters' manager: the study's JVM grew to 6 GB and was
 * OOM-killed. Here every temporary is created from the gradient handle, which is first moved into
 * a per-step manager, so a step frees everything it allocated; moments live beside the parameters.
 * The state (update count and moments, by parameter name) can be exported to and restored from a
 * checkpoint ({@link AdamMoments}), so a resumed run continues the same optimiser.
 */
public final class AdamStep {

    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPS = 1e-8f;

    private final float learningRate;
    private final Map<String, NDArray> m = new HashMap<>();
    private final Map<String, NDArray> v = new HashMap<>();
    private long t;

    public AdamStep(float learningRate) {
        this.learningRate = learningRate;
    }

    /**
     * Applies one step to every parameter unless some gradient is not finite; zeroes the
     * gradients (PyTorch accumulates them) either way. Returns whether the step was applied.
     */
    public boolean step(Map<String, NDArray> params, NDManager scratch) {
        try (NDManager sub = scratch.newSubManager()) {
            Map<String, NDArray> grads = new HashMap<>();
            boolean finite = true;
            for (Map.Entry<String, NDArray> p : params.entrySet()) {
                NDArray g = p.getValue().getGradient();
                g.attach(sub);
                grads.put(p.getKey(), g);
                finite = finite && Float.isFinite(g.square().sum().getFloat());
            }
            if (finite) {
                t++;
                float bc1 = (float) (1 - Math.pow(BETA1, t));
                float bc2 = (float) (1 - Math.pow(BETA2, t));
                for (Map.Entry<String, NDArray> p : params.entrySet()) {
                    NDArray w = p.getValue();
                    NDArray g = grads.get(p.getKey());
                    NDArray mean = m.computeIfAbsent(p.getKey(), k -> w.zerosLike());
                    NDArray var = v.computeIfAbsent(p.getKey(), k -> w.zerosLike());
                    mean.muli(BETA1).addi(g.mul(1 - BETA1));
                    var.muli(BETA2).addi(g.square().muli(1 - BETA2));
                    NDArray denom = g.zerosLike().addi(var).divi(bc2).sqrt().addi(EPS);
                    NDArray update = g.zerosLike().addi(mean).divi(bc1).divi(denom).muli(learningRate);
                    w.subi(update);
                }
            }
            for (NDArray g : grads.values()) {
                g.muli(0f);
            }
            return finite;
        }
    }

    /** The update count and moments (by parameter name, in the order of {@code params}). */
    public AdamMoments export(Map<String, NDArray> params, long trainerStep) {
        Map<String, float[]> mean = new LinkedHashMap<>();
        Map<String, float[]> var = new LinkedHashMap<>();
        for (String name : params.keySet()) {
            if (m.containsKey(name)) {
                mean.put(name, m.get(name).toFloatArray());
                var.put(name, v.get(name).toFloatArray());
            }
        }
        return new AdamMoments(t, trainerStep, mean, var);
    }

    /** Replaces the state by a checkpoint's; the moments live beside the parameters of the same names. */
    public void restore(Map<String, NDArray> params, AdamMoments state) {
        m.values().forEach(NDArray::close);
        v.values().forEach(NDArray::close);
        m.clear();
        v.clear();
        for (Map.Entry<String, float[]> e : state.mean().entrySet()) {
            NDArray w = params.get(e.getKey());
            if (w == null || w.size() != e.getValue().length) {
                throw new IllegalArgumentException("Adam state of " + e.getKey() + " does not match the model's parameters");
            }
            NDArray mean = w.zerosLike();
            mean.set(e.getValue());
            NDArray var = w.zerosLike();
            var.set(state.variance().get(e.getKey()));
            m.put(e.getKey(), mean);
            v.put(e.getKey(), var);
        }
        t = state.updates();
    }
}
