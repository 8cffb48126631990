package io.crossmodal.family.seq2seq.serving;

import com.google.protobuf.Message;
import io.crossmodal.family.seq2seq.lexicon.LexiconMode;
import io.crossmodal.family.seq2seq.search.SearchOptions;
import io.crossmodal.family.seq2seq.vocab.Vocabulary;
import io.crossmodal.proto.common.v1.HypothesisSource;
import io.crossmodal.proto.common.v1.ScoredSequences;
import io.crossmodal.proto.decoder.v1.DecodeRequest;
import io.crossmodal.proto.decoder.v1.DecodeResponse;
import io.crossmodal.proto.encoder.v1.EncodeRequest;
import io.crossmodal.proto.encoder.v1.EncodeResponse;
import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.ComponentSpec;
import io.crossmodal.runtime.bundle.ServingSpec;
import io.crossmodal.runtime.control.RunControl;
import io.crossmodal.runtime.family.InvalidInputException;
import io.crossmodal.runtime.family.ServedModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * A seq2seq component served by the Encoder ({@code EncodeRequest}: beam search) or the Decoder
 * ({@code DecodeRequest}: greedy, beam or sampling): token sequence in, n-best sequences out.
 * Requests whose search options share a {@link SearchOptions#batchKey()} run as one batched search,
 * each keeping its own length limit, n-best and sampling seed. With a lexicon in the bundle
 * ({@link LexiconServing}) an input the lexicon holds is answered from it, without running the model
 * unless n_best asks for more hypotheses than the lexicon has (requests answered by the lexicon alone
 * share their own batch key, so they never wait for or join a model batch).
 */
public final class Seq2SeqServedModel implements ServedModel<Seq2SeqServedModel.Input, List<ScoredSequence>> {

    /**
     * An admitted request: its source ids (null when only the lexicon answers), search options, and the
     * lexicon's hypotheses (empty when the model alone answers).
     */
    public record Input(long[] sourceIds, SearchOptions options, List<ScoredSequence> lexicon) {

        public Input {
            lexicon = List.copyOf(lexicon);
        }

        /** A request the model alone answers. */
        public Input(long[] sourceIds, SearchOptions options) {
            this(sourceIds, options, List.of());
        }

        /** Whether the model runs for this request. */
        public boolean runsModel() {
            return sourceIds != null;
        }
    }

    /** The batch key of requests the lexicon alone answers. */
    private static final Object LEXICON_ONLY = "lexicon-only";

    private final Seq2SeqPredictor predictor;
    /** The same graphs in one-thread sessions, for batches of one request; null = the predictor runs everything. */
    private final Seq2SeqPredictor solo;
    private final Bundle bundle;
    private final String component;
    private final ServingSpec spec;
    private final Seq2SeqLimits limits;
    private final LexiconServing lexicon;

    public Seq2SeqServedModel(Seq2SeqPredictor predictor, Bundle bundle, String component, ServingSpec spec, Seq2SeqLimits limits) {
        this(predictor, bundle, component, spec, limits, LexiconServing.NONE);
    }

    public Seq2SeqServedModel(Seq2SeqPredictor predictor, Bundle bundle, String component, ServingSpec spec, Seq2SeqLimits limits,
            LexiconServing lexicon) {
        this(predictor, null, bundle, component, spec, limits, lexicon);
    }

    /** {@code solo}: the same graphs in sessions with one intra-op thread, run for batches of one request (null = none). */
    public Seq2SeqServedModel(Seq2SeqPredictor predictor, Seq2SeqPredictor solo, Bundle bundle, String component,
            ServingSpec spec, Seq2SeqLimits limits, LexiconServing lexicon) {
        this.lexicon = lexicon;
        this.predictor = predictor;
        this.solo = solo;
        this.bundle = bundle;
        this.component = component;
        this.spec = spec;
        this.limits = limits;
    }

    @Override
    public String component() {
        return component;
    }

    @Override
    public ServingSpec spec() {
        return spec;
    }

    /** The limits requests are checked against. */
    public Seq2SeqLimits limits() {
        return limits;
    }

    /** The lexicon side (LexiconServing.NONE for a bundle without lexicon). */
    public LexiconServing lexicon() {
        return lexicon;
    }

    /** The predictor (for in-process callers such as benchmarks). */
    public Seq2SeqPredictor predictor() {
        return predictor;
    }

    /**
     * Checks, in this order: the search options (against the limits); an input at all; the tokens
     * against the limits; the input kind (a seq2seq model takes only tokens); the lexicon mode (an input
     * the lexicon answers alone is not checked against the model's vocabulary); every symbol (an unknown
     * or reserved one is rejected naming it, its position and the accepted symbols).
     */
    @Override
    public Input admit(Message request) {
        List<String> tokens;
        String inputCase;
        SearchOptions options;
        LexiconMode mode;
        if (request instanceof EncodeRequest r) {
            tokens = r.getTokens().getTokensList();
            inputCase = r.getInputCase().name();
            options = Seq2SeqRequests.options(r, tokens.size(), limits);
            mode = LexiconMode.ofRequest(r.getLexicon(), lexicon.defaultMode());
        } else if (request instanceof DecodeRequest r) {
            tokens = r.getTokens().getTokensList();
            inputCase = r.getInputCase().name();
            options = Seq2SeqRequests.options(r, tokens.size(), limits);
            mode = LexiconMode.ofRequest(r.getLexicon(), lexicon.defaultMode());
        } else {
            throw new InvalidInputException("a seq2seq model takes Encode or Decode requests, got "
                    + request.getDescriptorForType().getName());
        }
        try {
            options.toSearch();
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("invalid search options: " + e.getMessage());
        }
        if ("INPUT_NOT_SET".equals(inputCase)) {
            throw new InvalidInputException("input is required: set tokens (" + expectedInput() + ")");
        }
        boolean tokenInput = "TOKENS".equals(inputCase);
        if (tokenInput) {
            Seq2SeqRequests.checkTokens(tokens, limits);
        } else {
            throw new InvalidInputException("model " + modelName() + " (component " + component + ", a seq2seq model) takes a"
                    + " token sequence; " + inputCase.toLowerCase(Locale.ROOT) + " input is not supported");
        }
        List<ScoredSequence> fromLexicon = lexicon.answer(tokens, mode, modelName());
        if (mode == LexiconMode.LEXICON || (!fromLexicon.isEmpty() && options.nBest() <= fromLexicon.size())) {
            return new Input(null, options, fromLexicon);
        }
        try {
            return new Input(predictor.sourceIds(tokens), options, fromLexicon);
        } catch (InvalidInputException e) {
            if (!fromLexicon.isEmpty()) {
                // a lexicon word with symbols the model does not know (an override's new letter): the lexicon answers
                return new Input(null, options, fromLexicon);
            }
            throw new InvalidInputException(describe(e), e.inputIndex(), e.position(), e.symbol());
        }
    }

    @Override
    public Object batchKey(Input input) {
        return input.runsModel() ? input.options().batchKey() : LEXICON_ONLY;
    }

    @Override
    public List<List<ScoredSequence>> run(List<Input> batch, RunControl control) {
        List<Input> modelInputs = batch.stream().filter(Input::runsModel).toList();
        long[][] sources = new long[modelInputs.size()][];
        List<SearchOptions> options = new ArrayList<>(modelInputs.size());
        for (int i = 0; i < sources.length; i++) {
            sources[i] = modelInputs.get(i).sourceIds();
            options.add(modelInputs.get(i).options());
        }
        List<List<ScoredSequence>> fromModel = sources.length == 0 ? List.of()
                : predictorFor(sources.length).transduce(sources, options, control);
        List<List<ScoredSequence>> out = new ArrayList<>(batch.size());
        int next = 0;
        for (Input input : batch) {
            List<ScoredSequence> model = input.runsModel() ? fromModel.get(next++) : List.of();
            out.add(LexiconServing.combine(input.lexicon(), model, input.options().nBest()));
        }
        return out;
    }

    @Override
    public void respond(Input input, List<ScoredSequence> output, Message.Builder response) {
        ScoredSequences sequences = scoredSequences(output);
        if (response instanceof EncodeResponse.Builder b) {
            b.setHypotheses(sequences);
        } else if (response instanceof DecodeResponse.Builder b) {
            b.setSequences(sequences);
        } else {
            throw new IllegalArgumentException("a seq2seq model answers Encode or Decode responses, got "
                    + response.getDescriptorForType().getName());
        }
    }

    /** Hypotheses x output steps: the decoder steps a search may run (greedy: 1 hypothesis). */
    @Override
    public long cost(Input input) {
        return (long) hypotheses(input.options()) * Math.max(1, input.options().maxLength());
    }

    @Override
    public String describeCost(Input input) {
        SearchOptions o = input.options();
        String width = switch (o.mode()) {
            case BEAM -> "beam width " + o.beamWidth();
            case SAMPLING -> o.numSamples() + " samples";
            case GREEDY -> "greedy (1 hypothesis)";
        };
        return width + " x max_length " + o.maxLength();
    }

    private static int hypotheses(SearchOptions o) {
        return switch (o.mode()) {
            case BEAM -> Math.max(1, o.beamWidth());
            case SAMPLING -> Math.max(1, o.numSamples());
            case GREEDY -> 1;
        };
    }

    /** The solo predictor for a lone request where there is one, the predictor otherwise. */
    Seq2SeqPredictor predictorFor(int requests) {
        return requests == 1 && solo != null ? solo : predictor;
    }

    @Override
    public void warmUp() {
        predictor.warmUp();
        if (solo != null) {
            solo.warmUp();
        }
    }

    @Override
    public String describe(Input input, List<ScoredSequence> output) {
        SearchOptions search = input.options();
        if (!input.runsModel()) {
            return String.format(Locale.ROOT, "%d sequences from the lexicon", output.size());
        }
        return String.format(Locale.ROOT, "%d symbols -> %d sequences (%s%s)", input.sourceIds().length, output.size(),
                search.mode() == SearchOptions.Mode.BEAM ? "beam width " + search.beamWidth()
                        : search.mode().name().toLowerCase(Locale.ROOT),
                input.lexicon().isEmpty() ? "" : ", " + input.lexicon().size() + " from the lexicon");
    }

    @Override
    public void close() {
        try {
            predictor.close();
        } finally {
            if (solo != null) {
                solo.close();
            }
        }
    }

    /**
     * The hypotheses as a ScoredSequences message: lexicon hypotheses first in lexicon order (the primary
     * entry first), then model hypotheses best (highest log-probability) first; each with its source and
     * probability.
     */
    public static ScoredSequences scoredSequences(List<ScoredSequence> hypotheses) {
        List<ScoredSequence> sorted = new ArrayList<>(hypotheses);
        // stable: lexicon entries keep their order (all of a word's entries have the same probability)
        sorted.sort(Comparator.comparing((ScoredSequence h) -> h.source() != ScoredSequence.Source.LEXICON)
                .thenComparing(Comparator.comparingDouble(ScoredSequence::logProb).reversed()));
        ScoredSequences.Builder b = ScoredSequences.newBuilder();
        for (ScoredSequence h : sorted) {
            b.addSequences(io.crossmodal.proto.common.v1.ScoredSequence.newBuilder()
                    .addAllTokens(h.symbols()).setLogProb(h.logProb()).setProbability(h.probability())
                    .setSource(h.source() == ScoredSequence.Source.LEXICON ? HypothesisSource.HYPOTHESIS_SOURCE_LEXICON
                            : HypothesisSource.HYPOTHESIS_SOURCE_MODEL));
        }
        return b.build();
    }

    private String modelName() {
        return bundle.model() + "/" + bundle.version();
    }

    /** "a phoneme sequence" from the source vocabulary's name ("phonemes"). */
    private String expectedInput() {
        String v = bundle.component(component).sourceVocabulary();
        if (v == null) {
            return "a token sequence";
        }
        return "a " + (v.endsWith("s") ? v.substring(0, v.length() - 1) : v) + " sequence";
    }

    /** "unknown symbol 'X' at position 2; model m/1 accepts phonemes: ..." for an InvalidInputException from the predictor. */
    private String describe(InvalidInputException e) {
        if (e.symbol() == null || e.position() < 0) {
            return e.getMessage().replaceFirst("^input \\d+:? ?", "input ");
        }
        String kind = Vocabulary.RESERVED.contains(e.symbol()) ? "reserved symbol" : "unknown symbol";
        String known = "";
        try {
            ComponentSpec cs = bundle.component(component);
            List<String> symbols = bundle.vocabulary(cs.sourceVocabulary());
            List<String> usable = symbols.subList(Math.min(Vocabulary.RESERVED.size(), symbols.size()), symbols.size());
            known = "; model " + modelName() + " accepts " + cs.sourceVocabulary() + ": "
                    + String.join(" ", usable.size() > 100 ? usable.subList(0, 100) : usable)
                    + (usable.size() > 100 ? " ..." : "");
        } catch (RuntimeException ignored) {
            // the message without the vocabulary is still useful
        }
        return kind + " '" + e.symbol() + "' at position " + e.position() + known;
    }
}
