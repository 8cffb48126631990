package io.crossmodal.family.seq2seq.serving;

import io.crossmodal.runtime.family.InvalidInputException;

import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.BundleCorruptException;
import io.crossmodal.runtime.bundle.ComponentSpec;
import io.crossmodal.family.seq2seq.onnx.OrtSeq2Seq;
import io.crossmodal.runtime.onnx.SessionFactory;
import io.crossmodal.family.seq2seq.search.Hypothesis;
import io.crossmodal.runtime.control.RunCancelledException;
import io.crossmodal.runtime.control.RunControl;
import io.crossmodal.family.seq2seq.search.SearchOptions;
import io.crossmodal.family.seq2seq.search.SequenceSearch;
import io.crossmodal.family.seq2seq.search.SpecialTokens;
import io.crossmodal.family.seq2seq.search.EnsembleStepModel;
import io.crossmodal.family.seq2seq.search.StepModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Symbol-level transduction over one seq2seq component of a bundle: validates inputs against the
 * source vocabulary (never mapping to {@code <unk>}), runs the requested search over all inputs in
 * one batch, and maps ids back to target symbols. Stateless apart from the model, so thread-safe
 * when the model is (OrtSeq2Seq is).
 *
 * <p>For dynamic batching a server validates each request on its own ({@link #sourceIds}), so one bad
 * request never fails a batch, and then runs the validated requests of a batch together with
 * {@link #transduce(long[][], List, RunControl)}, each with its own length limit / n-best / seed.
 */
public final class Seq2SeqPredictor implements AutoCloseable {

    public static final int DEFAULT_MAX_INPUT_LENGTH = 64;

    private final StepModel model;
    private final Map<String, Integer> sourceIds = new HashMap<>();
    private final List<String> sourceVocabulary;
    private final List<String> targetVocabulary;
    private final int maxInputLength;

    /** Wraps any StepModel (ONNX Runtime, the Java reference, DJL); takes ownership of it. */
    public Seq2SeqPredictor(StepModel model, List<String> sourceVocabulary, List<String> targetVocabulary, int maxInputLength) {
        if (maxInputLength < 1) {
            throw new IllegalArgumentException("maxInputLength must be >= 1");
        }
        if (model.vocabSize() != targetVocabulary.size()) {
            throw new IllegalArgumentException("model has " + model.vocabSize() + " output ids but the target vocabulary has "
                    + targetVocabulary.size() + " symbols");
        }
        this.model = model;
        this.targetVocabulary = List.copyOf(targetVocabulary);
        this.sourceVocabulary = List.copyOf(sourceVocabulary);
        this.maxInputLength = maxInputLength;
        for (int i = 0; i < sourceVocabulary.size(); i++) {
            sourceIds.putIfAbsent(sourceVocabulary.get(i), i);
        }
    }

    public static Seq2SeqPredictor create(Bundle bundle, String component, SessionFactory factory) {
        return create(bundle, component, factory, DEFAULT_MAX_INPUT_LENGTH);
    }

    /** Opens the component's encoder and decoder-step graphs with {@code factory}. */
    public static Seq2SeqPredictor create(Bundle bundle, String component, SessionFactory factory, int maxInputLength) {
        ComponentSpec spec = bundle.component(component);
        if (!ComponentSpec.TYPE_SEQ2SEQ.equals(spec.type())) {
            throw new IllegalArgumentException("component " + component + " is a " + spec.type() + ", not a seq2seq model");
        }
        List<String> source = bundle.vocabulary(spec.sourceVocabulary());
        List<String> target = bundle.vocabulary(spec.targetVocabulary());
        Integer srcSize = spec.sizes().get("src_vocab");
        if (srcSize != null && srcSize != source.size()) {
            throw new BundleCorruptException("component " + component + " expects " + srcSize
                    + " source symbols but vocabulary " + spec.sourceVocabulary() + " has " + source.size());
        }
        OrtSeq2Seq ort = OrtSeq2Seq.create(factory,
                bundle.graphFile(component, ComponentSpec.ROLE_ENCODER),
                bundle.graphFile(component, ComponentSpec.ROLE_DECODER_STEP));
        try {
            return new Seq2SeqPredictor(ort, source, target, maxInputLength);
        } catch (IllegalArgumentException e) {
            ort.close();
            throw new BundleCorruptException("component " + component + ": " + e.getMessage(), e);
        }
    }

    /**
     * The members searched as one model ({@link EnsembleStepModel}: the mean of their probabilities at
     * every step); takes ownership of them. They must share both vocabularies, symbol for symbol. One
     * search at a time: for scoring an ensemble and for labelling words to distil it, not for serving.
     */
    public static Seq2SeqPredictor ensemble(List<Seq2SeqPredictor> members) {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("an ensemble needs at least one member");
        }
        Seq2SeqPredictor first = members.get(0);
        int maxInput = first.maxInputLength;
        for (Seq2SeqPredictor m : members) {
            if (!m.sourceVocabulary.equals(first.sourceVocabulary) || !m.targetVocabulary.equals(first.targetVocabulary)) {
                throw new IllegalArgumentException("ensemble members must share their source and target vocabularies");
            }
            maxInput = Math.min(maxInput, m.maxInputLength);
        }
        return new Seq2SeqPredictor(new EnsembleStepModel(members.stream().map(m -> m.model).toList()),
                first.sourceVocabulary, first.targetVocabulary, maxInput);
    }

    /** Per input, the hypotheses of the chosen search as symbols, best first. */
    public List<List<ScoredSequence>> transduce(List<List<String>> inputs, SearchOptions options) {
        if (inputs.isEmpty()) {
            return List.of();
        }
        SequenceSearch search;
        try {
            search = options.toSearch();
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("invalid search options: " + e.getMessage());
        }
        long[][] sources = new long[inputs.size()][];
        for (int i = 0; i < inputs.size(); i++) {
            sources[i] = toIds(i, inputs.get(i));
        }
        return toScored(search.search(model, sources));
    }

    /**
     * The source ids of one input, checked against the source vocabulary and the length limit.
     *
     * @throws InvalidInputException naming the first unknown or reserved symbol and its position (input index 0)
     */
    public long[] sourceIds(List<String> symbols) {
        return toIds(0, symbols);
    }

    /**
     * Runs already validated inputs ({@link #sourceIds}) as one batch: input i with {@code options.get(i)},
     * all sharing one {@link SearchOptions#batchKey()}; per input, its hypotheses, best first.
     *
     * @throws InvalidInputException   the options cannot share a batch or are invalid
     * @throws RunCancelledException {@code control} was cancelled
     */
    public List<List<ScoredSequence>> transduce(long[][] sources, List<SearchOptions> options, RunControl control) {
        if (sources.length != options.size()) {
            throw new IllegalArgumentException(sources.length + " inputs but " + options.size() + " search options");
        }
        if (sources.length == 0) {
            return List.of();
        }
        SequenceSearch search;
        try {
            search = SearchOptions.toSearch(options);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("invalid search options: " + e.getMessage());
        }
        return toScored(search.search(model, sources, control));
    }

    /** Inputs and symbols per input of the real-sized warm-up batch (a typical word, a full batch's worth of rows). */
    static final int WARM_UP_BATCH = 16;
    static final int WARM_UP_SYMBOLS = 8;

    /**
     * One tiny greedy run (one input: the first data symbol of the source vocabulary, at most two output
     * symbols), so a freshly loaded model has run once before it takes traffic: sessions are initialised
     * and graphs whose shapes do not fit the vocabularies fail here, not on a request. Then one real-sized
     * run: a beam search (width 4, the service default) over a batch of {@value #WARM_UP_BATCH} words of
     * {@value #WARM_UP_SYMBOLS} symbols, so ONNX Runtime has allocated its buffers for realistic shapes and
     * the search code has run before the first request pays for either.
     */
    public void warmUp() {
        List<Integer> data = new ArrayList<>();
        for (Map.Entry<String, Integer> e : sourceIds.entrySet()) {
            if (e.getValue() >= SpecialTokens.COUNT) {
                data.add(e.getValue());
            }
        }
        if (data.isEmpty()) {
            throw new IllegalStateException("the source vocabulary has no data symbols");
        }
        data.sort(null);
        long first = data.get(0);
        List<List<Hypothesis>> out = SearchOptions.greedy().withMaxLength(2).toSearch()
                .search(model, new long[][] {{first}});
        if (out.size() != 1 || out.get(0).size() != 1) {
            throw new IllegalStateException("warm-up run returned " + out + " for one input");
        }
        toScored(out);
        long[][] batch = new long[WARM_UP_BATCH][WARM_UP_SYMBOLS];
        for (int i = 0; i < WARM_UP_BATCH; i++) {
            for (int j = 0; j < WARM_UP_SYMBOLS; j++) {
                batch[i][j] = data.get((i * 7 + j * 3) % data.size());
            }
        }
        List<List<Hypothesis>> real = SearchOptions.beam(4, 1).withMaxLength(2 * WARM_UP_SYMBOLS + 10).toSearch()
                .search(model, batch);
        if (real.size() != WARM_UP_BATCH) {
            throw new IllegalStateException("real-sized warm-up run returned " + real.size() + " results for "
                    + WARM_UP_BATCH + " inputs");
        }
        toScored(real);
    }

    private List<List<ScoredSequence>> toScored(List<List<Hypothesis>> hypotheses) {
        List<List<ScoredSequence>> out = new ArrayList<>(hypotheses.size());
        for (List<Hypothesis> hyps : hypotheses) {
            List<ScoredSequence> scored = new ArrayList<>(hyps.size());
            for (Hypothesis h : hyps) {
                scored.add(new ScoredSequence(toSymbols(h.tokens()), h.logProb()));
            }
            out.add(scored);
        }
        return out;
    }

    private long[] toIds(int index, List<String> symbols) {
        if (symbols == null || symbols.isEmpty()) {
            throw new InvalidInputException("input " + index + " is empty", index, -1, null);
        }
        if (symbols.size() > maxInputLength) {
            throw new InvalidInputException("input " + index + " has " + symbols.size() + " symbols; the limit is "
                    + maxInputLength, index, -1, null);
        }
        long[] ids = new long[symbols.size()];
        for (int p = 0; p < ids.length; p++) {
            String s = symbols.get(p);
            Integer id = s == null ? null : sourceIds.get(s);
            if (id == null || id < SpecialTokens.COUNT) {
                String what = id == null ? "unknown symbol" : "reserved symbol";
                throw new InvalidInputException("input " + index + ": " + what + " '" + s + "' at position " + p,
                        index, p, s);
            }
            ids[p] = id;
        }
        return ids;
    }

    private List<String> toSymbols(long[] ids) {
        List<String> out = new ArrayList<>(ids.length);
        for (long id : ids) {
            out.add(targetVocabulary.get((int) id));
        }
        return out;
    }

    public int maxInputLength() {
        return maxInputLength;
    }

    public List<String> targetVocabulary() {
        return targetVocabulary;
    }

    @Override
    public void close() {
        model.close();
    }
}
