package io.crossmodal.serving.common;

import io.crossmodal.runtime.cache.ModelKey;
import io.crossmodal.runtime.family.InvalidInputException;
import io.crossmodal.runtime.family.ServedModel;

/**
 * The per-request compute budget ({@code crossmodal.serving.compute.max-request-cost}) and the threshold
 * above which a request is heavy ({@code crossmodal.serving.compute.heavy-request-cost}), in the model
 * family's work units ({@link ServedModel#cost}). Requests within the other limits can still be expensive
 * (seq2seq: beam width 64 x max_length 200 = 12,800 hypothesis-steps, about 100 times a default request);
 * the budget refuses those before they queue, and heavy ones within it run apart from the cheap ones.
 *
 * @param maxCost   most work units per request; 0 = no budget
 * @param heavyCost requests costing more run in the heavy lane; 0 = none do
 */
public record ComputeBudget(long maxCost, long heavyCost) {

    public ComputeBudget {
        if (maxCost < 0 || heavyCost < 0) {
            throw new IllegalArgumentException("crossmodal.serving.compute.max-request-cost and heavy-request-cost must be"
                    + " >= 0, got " + maxCost + " and " + heavyCost);
        }
    }

    /**
     * The request's cost.
     *
     * @throws InvalidInputException (INVALID_ARGUMENT) when it is over the budget, saying its cost, how it was
     *                               counted, the budget and what to lower
     */
    public <I> long check(ModelKey key, ServedModel<I, ?> model, I input) {
        long cost = model.cost(input);
        if (maxCost > 0 && cost > maxCost) {
            String how = model.describeCost(input);
            throw new InvalidInputException("request too expensive for model " + key + ": it costs " + cost
                    + " work units" + (how.isEmpty() ? "" : " (" + how + ")") + ", over this service's per-request budget of "
                    + maxCost + " (crossmodal.serving.compute.max-request-cost); lower the beam width, number of samples"
                    + " or max_length, or split the request");
        }
        return cost;
    }

    /** Whether a request of this cost runs in its model's heavy lane. */
    public boolean isHeavy(long cost) {
        return heavyCost > 0 && cost > heavyCost;
    }

    @Override
    public String toString() {
        return "at most " + (maxCost == 0 ? "unlimited" : Long.toString(maxCost)) + " work units, heavy above "
                + (heavyCost == 0 ? "never" : Long.toString(heavyCost));
    }
}
