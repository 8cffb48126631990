package io.crossmodal.serving.common;

import static io.crossmodal.serving.common.testing.GrpcTesting.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.runtime.bundle.ModelNotFoundException;
import io.crossmodal.family.seq2seq.search.SearchOptions;
import io.crossmodal.runtime.family.InvalidInputException;
import io.crossmodal.family.seq2seq.serving.ScoredSequence;
import io.crossmodal.runtime.cache.ModelSelector;
import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.proto.common.v1.ScoredSequences;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shared pieces that need no running service (the services' tests cover the rest end to end). */
class ServingCommonTest {

    /** default beam width 4, max beam width 8, max output length 20, max input length 5. */
    static final ServingConfig.Serving LIMITS = new ServingConfig.Serving() {
        public int defaultBeamWidth() {
            return 4;
        }

        public int maxBeamWidth() {
            return 8;
        }

        public int maxOutputLength() {
            return 20;
        }

        public int maxInputLength() {
            return 5;
        }

        public int cacheSize() {
            return 1;
        }
    };

    @Test
    void servedComponentNamesTheReadinessCheck() {
        assertEquals("crossmodal-encoder-models", new ServedComponent("encoder", "p2g").readinessName());
        assertThrows(IllegalArgumentException.class, () -> new ServedComponent("decoder", " "));
        assertThrows(NullPointerException.class, () -> new ServedComponent(null, "g2p"));
    }

    @Test
    void preloadSpecsParse() {
        assertEquals(ModelSelector.defaultOf("cmudict"), ServedModels.parseSelector("cmudict"));
        assertEquals(ModelSelector.version("cmudict", "3"), ServedModels.parseSelector("cmudict/3"));
        assertEquals(ModelSelector.alias("cmudict", "candidate"), ServedModels.parseSelector("cmudict@candidate"));
    }

    @Test
    void modelRefNeedsAName() {
        fails(Status.Code.INVALID_ARGUMENT, () -> ProtoModels.selector(false, ModelRef.getDefaultInstance()));
        fails(Status.Code.INVALID_ARGUMENT, () -> ProtoModels.selector(true, ModelRef.newBuilder().setName(" ").build()));
        assertEquals(ModelSelector.alias("m", "production"),
                ProtoModels.selector(true, ModelRef.newBuilder().setName("m").setAlias("production").build()));
    }

    @Test
    void limitsAreEnforced() {
        assertEquals(1, Seq2SeqCalls.nBest(false, 0, LIMITS));
        fails(Status.Code.INVALID_ARGUMENT, () -> Seq2SeqCalls.nBest(true, 0, LIMITS));
        fails(Status.Code.INVALID_ARGUMENT, () -> Seq2SeqCalls.nBest(true, 9, LIMITS));

        SearchOptions beam = Seq2SeqCalls.beam(6, false, 0, "beam_width", LIMITS);
        assertEquals(6, beam.beamWidth(), "default width raised to n_best");
        assertEquals(4, Seq2SeqCalls.beam(2, false, 0, "beam_width", LIMITS).beamWidth());
        StatusRuntimeException e = fails(Status.Code.INVALID_ARGUMENT,
                () -> Seq2SeqCalls.beam(3, true, 2, "beam.width", LIMITS));
        assertTrue(e.getStatus().getDescription().contains("beam.width (2)"), e.getStatus().getDescription());
        fails(Status.Code.INVALID_ARGUMENT, () -> Seq2SeqCalls.beam(1, true, 9, "beam_width", LIMITS));

        assertEquals(16, Seq2SeqCalls.maxLength(false, 0, 3, LIMITS));
        assertEquals(20, Seq2SeqCalls.maxLength(false, 0, 30, LIMITS));
        assertEquals(7, Seq2SeqCalls.maxLength(true, 7, 3, LIMITS));
        fails(Status.Code.INVALID_ARGUMENT, () -> Seq2SeqCalls.maxLength(true, 21, 3, LIMITS));

        fails(Status.Code.INVALID_ARGUMENT, () -> Seq2SeqCalls.checkTokens(List.of(), LIMITS));
        fails(Status.Code.INVALID_ARGUMENT, () -> Seq2SeqCalls.checkTokens(List.of("a", "b", "c", "d", "e", "f"), LIMITS));
        Seq2SeqCalls.checkTokens(List.of("a"), LIMITS);
    }

    @Test
    void failuresMapToStatuses() {
        StatusRuntimeException invalid = GrpcErrors.invalid("bad");
        assertSame(invalid, GrpcErrors.toStatus(invalid, "r", "Encode"));
        assertEquals(Status.Code.INVALID_ARGUMENT,
                GrpcErrors.toStatus(new InvalidInputException("x"), "r", "Encode").getStatus().getCode());
        assertEquals(Status.Code.NOT_FOUND,
                GrpcErrors.toStatus(new ModelNotFoundException("no m"), "r", "Encode").getStatus().getCode());
        StatusRuntimeException internal = GrpcErrors.toStatus(new IllegalStateException("boom"), "r", "Decode");
        assertEquals(Status.Code.INTERNAL, internal.getStatus().getCode());
        assertEquals("Decode failed: IllegalStateException: boom", internal.getStatus().getDescription());
    }

    @Test
    void hypothesesAreSortedBestFirst() {
        ScoredSequences s = ProtoModels.scoredSequences(List.of(new ScoredSequence(List.of("a"), -3.0),
                new ScoredSequence(List.of("b", "c"), -0.5)));
        assertEquals(List.of("b", "c"), s.getSequences(0).getTokensList());
        assertEquals(-3.0, s.getSequences(1).getLogProb(), 1e-9);
    }
}
