package io.crossmodal.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.proto.common.v1.HypothesisSource;
import io.crossmodal.proto.common.v1.LexiconMode;
import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.proto.common.v1.ScoredSequence;
import io.crossmodal.proto.common.v1.ScoredSequences;
import io.crossmodal.proto.common.v1.TokenSequence;
import io.crossmodal.proto.encoder.v1.EncodeRequest;
import io.crossmodal.proto.encoder.v1.EncoderGrpc;
import io.crossmodal.serving.common.testing.GrpcTesting;
import io.crossmodal.serving.common.testing.LexiconRegistryResource;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Lexicon-first P2G over the Encoder's real gRPC server: a known pronunciation, homophones (every spelling), an
 * unknown pronunciation, the entries of a user's override, and the request's lexicon modes.
 */
@QuarkusTest
@WithTestResource(LexiconRegistryResource.class)
class EncoderLexiconTest {

    @TestHTTPResource("/")
    URL base;

    ManagedChannel channel;
    EncoderGrpc.EncoderBlockingStub encoder;

    @BeforeEach
    void connect() {
        channel = GrpcTesting.channel(base);
        encoder = EncoderGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        GrpcTesting.close(channel);
    }

    private ScoredSequences encode(String phonemes, LexiconMode mode, int nBest) {
        return encoder.encode(EncodeRequest.newBuilder().setModel(ModelRef.newBuilder().setName("lex"))
                .setTokens(TokenSequence.newBuilder().addAllTokens(List.of(phonemes.split(" "))))
                .setLexicon(mode).setNBest(nBest).build()).getHypotheses();
    }

    private static List<String> spellings(ScoredSequences s) {
        return s.getSequencesList().stream().map(q -> String.join("", q.getTokensList())).toList();
    }

    @Test
    void aKnownPronunciationIsAnsweredWithItsSpelling() {
        // both pronunciations of the heteronym "cast" lead back to it
        for (String p : List.of("K AE S T", "K EH S T")) {
            ScoredSequences cast = encode(p, LexiconMode.LEXICON_MODE_UNSPECIFIED, 1);
            assertEquals(List.of("cast"), spellings(cast));
            assertEquals(HypothesisSource.HYPOTHESIS_SOURCE_LEXICON, cast.getSequences(0).getSource());
            assertEquals(1.0, cast.getSequences(0).getProbability());
        }
    }

    @Test
    void homophonesGetEverySpelling() {
        ScoredSequences s = encode("K AE T", LexiconMode.LEXICON_MODE_UNSPECIFIED, 1);
        assertEquals(Set.of("cat", "kat"), Set.copyOf(spellings(s)), s::toString);
        assertEquals(2, s.getSequencesCount());
        s.getSequencesList().forEach(h -> {
            assertEquals(HypothesisSource.HYPOTHESIS_SOURCE_LEXICON, h.getSource());
            assertEquals(0.5, h.getProbability(), 1e-12);
        });
    }

    @Test
    void theOverridesEntriesAreServed() {
        assertEquals(List.of("ace"), spellings(encode("EH S", LexiconMode.LEXICON_MODE_LEXICON, 1)), "an added word");
        assertEquals(List.of("sec"), spellings(encode("S EH K S", LexiconMode.LEXICON_MODE_LEXICON, 1)), "a corrected word");
        StatusRuntimeException replaced = assertThrows(StatusRuntimeException.class,
                () -> encode("S EH K", LexiconMode.LEXICON_MODE_LEXICON, 1));
        assertEquals(Status.Code.INVALID_ARGUMENT, replaced.getStatus().getCode(), "the override replaced the training entry");
    }

    @Test
    void anUnknownPronunciationIsAnsweredByTheModelAndModesForceEitherSide() {
        ScoredSequences unknown = encode("T EH S T", LexiconMode.LEXICON_MODE_UNSPECIFIED, 2);
        assertEquals(2, unknown.getSequencesCount());
        for (ScoredSequence h : unknown.getSequencesList()) {
            assertEquals(HypothesisSource.HYPOTHESIS_SOURCE_MODEL, h.getSource());
            assertEquals(Math.exp(h.getLogProb()), h.getProbability(), 1e-12);
        }
        assertEquals(HypothesisSource.HYPOTHESIS_SOURCE_MODEL,
                encode("K AE T", LexiconMode.LEXICON_MODE_MODEL, 1).getSequences(0).getSource());
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> encode("T EH S T", LexiconMode.LEXICON_MODE_LEXICON, 1));
        assertTrue(e.getStatus().getDescription().contains("'T EH S T' is not in the lexicon of model lex/1"), e::toString);
    }
}
