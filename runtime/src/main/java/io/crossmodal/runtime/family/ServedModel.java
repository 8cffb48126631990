package io.crossmodal.runtime.family;

import com.google.protobuf.Message;
import io.crossmodal.runtime.bundle.ServingSpec;
import io.crossmodal.runtime.control.RunControl;
import java.util.List;

/**
 * One loaded model version as one service role serves it (the handle a {@link ServingFamily}
 * creates): a request goes through {@link #admit} (alone, on the caller's thread, a gRPC event loop for a small
 * request: a bad request is rejected with its own message and never joins a batch), waits in its model's queue, runs with the
 * admitted inputs of the same {@link #batchKey} ({@link #run}), and each result is written into its
 * response ({@link #respond}). Thread-safe: many requests are admitted concurrently while one batch
 * runs.
 *
 * @param <I> the admitted input (typed, checked: e.g. source ids and search options)
 * @param <O> the result of one input (e.g. its n-best sequences)
 */
public interface ServedModel<I, O> extends AutoCloseable {

    /** The bundle component this handle runs (reported by ModelInfo). */
    String component();

    /** The serving settings the bundle carries for this role ({@link ServingSpec#NONE} when it carries none). */
    ServingSpec spec();

    /**
     * Checks one request (the service's proto message, e.g. {@code EncodeRequest}) against this model
     * and converts it: options against the limits, the input kind, every symbol / sample / pixel. Must not block
     * (no file or network reads): a small request (at most 16 KiB) is admitted on a gRPC event loop.
     *
     * @throws InvalidInputException with a message that says what is wrong (mapped to INVALID_ARGUMENT)
     */
    I admit(Message request);

    /** Inputs whose keys are equal may run in one batch (compatible options); must implement equals/hashCode. */
    Object batchKey(I input);

    /**
     * Runs admitted inputs sharing one batch key, results in input order; each result must not depend
     * on what else was in the batch. Stops early with {@link io.crossmodal.runtime.control.RunCancelledException}
     * once {@code control} is cancelled.
     */
    List<O> run(List<I> batch, RunControl control);

    /**
     * Writes one result into the service's response builder (e.g. {@code EncodeResponse.Builder}); the
     * service has set the request id and the model name and version.
     */
    void respond(I input, O output, Message.Builder response);

    /**
     * The compute one admitted input asks for, in this family's work units, for the service's per-request
     * budget and its heavy lane ({@code crossmodal.serving.compute.*}): it must grow with what the request
     * controls (seq2seq: hypotheses x output steps). 0 (the default) = the family's own input limits bound it.
     */
    default long cost(I input) {
        return 0;
    }

    /** How {@link #cost} counted, for the over-budget message (e.g. "beam width 64 x max_length 200"). */
    default String describeCost(I input) {
        return "";
    }

    /** Runs a representative input once, so the first request does not pay for lazy initialisation. */
    void warmUp();

    /** A short description of one request and its result for the debug log (sizes, options). */
    default String describe(I input, O output) {
        return "";
    }

    /** Releases native resources; called when no request uses this version any more. */
    @Override
    void close();
}
