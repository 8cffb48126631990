package io.crossmodal.family.seq2seq.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.family.seq2seq.search.SearchOptions;
import io.crossmodal.proto.common.v1.ScoredSequences;
import io.crossmodal.runtime.bundle.ServingSpec;
import io.crossmodal.runtime.family.InvalidInputException;
import io.crossmodal.runtime.family.ServingContext;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The seq2seq family's request limits and how they are resolved from the bundle and the service. */
class Seq2SeqRequestsTest {

    /** default beam width 4, max beam width 8, max output length 20, max input length 5. */
    static final Seq2SeqLimits LIMITS = new Seq2SeqLimits(5, 20, 8, 4);

    @Test
    void limitsAreEnforced() {
        assertEquals(1, Seq2SeqRequests.nBest(false, 0, LIMITS));
        assertThrows(InvalidInputException.class, () -> Seq2SeqRequests.nBest(true, 0, LIMITS));
        assertThrows(InvalidInputException.class, () -> Seq2SeqRequests.nBest(true, 9, LIMITS));

        SearchOptions beam = Seq2SeqRequests.beam(6, false, 0, "beam_width", LIMITS);
        assertEquals(6, beam.beamWidth(), "default width raised to n_best");
        assertEquals(4, Seq2SeqRequests.beam(2, false, 0, "beam_width", LIMITS).beamWidth());
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Seq2SeqRequests.beam(3, true, 2, "beam.width", LIMITS));
        assertTrue(e.getMessage().contains("beam.width (2)"), e.getMessage());
        assertThrows(InvalidInputException.class, () -> Seq2SeqRequests.beam(1, true, 9, "beam_width", LIMITS));

        assertEquals(16, Seq2SeqRequests.maxLength(false, 0, 3, LIMITS));
        assertEquals(20, Seq2SeqRequests.maxLength(false, 0, 30, LIMITS));
        assertEquals(7, Seq2SeqRequests.maxLength(true, 7, 3, LIMITS));
        assertThrows(InvalidInputException.class, () -> Seq2SeqRequests.maxLength(true, 21, 3, LIMITS));

        assertThrows(InvalidInputException.class, () -> Seq2SeqRequests.checkTokens(List.of(), LIMITS));
        assertThrows(InvalidInputException.class, () -> Seq2SeqRequests.checkTokens(List.of("a", "b", "c", "d", "e", "f"), LIMITS));
        Seq2SeqRequests.checkTokens(List.of("a"), LIMITS);
    }

    @Test
    void bundleSettingsLowerLimitsAndSetDefaultsButTheServiceIsTheCeiling() {
        ServingContext service = new ServingContext("decoder", null, Map.of("maxInputLength", 64, "maxOutputLength", 200,
                "maxBeamWidth", 16, "defaultBeamWidth", 4));
        // no bundle settings: the service's
        assertEquals(new Seq2SeqLimits(64, 200, 16, 4), Seq2SeqLimits.resolve(service, ServingSpec.NONE));
        // the bundle lowers the input limit and sets its default beam width; it cannot raise a limit
        ServingSpec spec = new ServingSpec(null, null, null, null, Map.of("maxInputLength", 32, "maxBeamWidth", 99),
                Map.of("beamWidth", 6));
        assertEquals(new Seq2SeqLimits(32, 200, 16, 6), Seq2SeqLimits.resolve(service, spec));
        // a default beam width above the maximum is capped
        ServingSpec wide = new ServingSpec(null, null, null, null, null, Map.of("beamWidth", 40));
        assertEquals(16, Seq2SeqLimits.resolve(service, wide).defaultBeamWidth());
    }

    @Test
    void hypothesesAreSortedBestFirst() {
        ScoredSequences s = Seq2SeqServedModel.scoredSequences(List.of(new ScoredSequence(List.of("a"), -3.0),
                new ScoredSequence(List.of("b", "c"), -0.5)));
        assertEquals(List.of("b", "c"), s.getSequences(0).getTokensList());
        assertEquals(-3.0, s.getSequences(1).getLogProb(), 1e-9);
    }
}
