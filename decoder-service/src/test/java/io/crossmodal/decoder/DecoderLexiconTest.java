package io.crossmodal.decoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.proto.common.v1.HypothesisSource;
import io.crossmodal.proto.common.v1.LexiconMode;
import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.proto.common.v1.ScoredSequence;
import io.crossmodal.proto.common.v1.ScoredSequences;
import io.crossmodal.proto.common.v1.TokenSequence;
import io.crossmodal.proto.decoder.v1.DecodeRequest;
import io.crossmodal.proto.decoder.v1.DecoderGrpc;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Lexicon-first G2P over the Decoder's real gRPC server: a known word, a heteronym, an unknown word and the entries of
 * a user's override (one corrected, one added), with each hypothesis's source and probability, and the request's
 * lexicon modes.
 */
@QuarkusTest
@WithTestResource(LexiconRegistryResource.class)
class DecoderLexiconTest {

    @TestHTTPResource("/")
    URL base;

    ManagedChannel channel;
    DecoderGrpc.DecoderBlockingStub decoder;

    @BeforeEach
    void connect() {
        channel = GrpcTesting.channel(base);
        decoder = DecoderGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        GrpcTesting.close(channel);
    }

    private ScoredSequences decode(String word, LexiconMode mode, int nBest) {
        return decoder.decode(DecodeRequest.newBuilder().setModel(ModelRef.newBuilder().setName("lex"))
                .setTokens(TokenSequence.newBuilder().addAllTokens(List.of(word.split(""))))
                .setLexicon(mode).setNBest(nBest).build()).getSequences();
    }

    private static List<List<String>> tokens(ScoredSequences s) {
        return s.getSequencesList().stream().map(q -> List.copyOf(q.getTokensList())).toList();
    }

    private static void assertLexicon(ScoredSequence s, double probability) {
        assertEquals(HypothesisSource.HYPOTHESIS_SOURCE_LEXICON, s.getSource(), s::toString);
        assertEquals(probability, s.getProbability(), 1e-12, s::toString);
        assertEquals(Math.log(probability), s.getLogProb(), 1e-12, s::toString);
    }

    @Test
    void aKnownWordIsAnsweredFromTheLexicon() {
        ScoredSequences cat = decode("cat", LexiconMode.LEXICON_MODE_UNSPECIFIED, 1);
        assertEquals(List.of(List.of("K", "AE", "T")), tokens(cat));
        assertLexicon(cat.getSequences(0), 1.0);
    }

    @Test
    void aHeteronymGetsAllItsPronunciations() {
        ScoredSequences cast = decode("cast", LexiconMode.LEXICON_MODE_UNSPECIFIED, 1);
        assertEquals(List.of(List.of("K", "AE", "S", "T"), List.of("K", "EH", "S", "T")), tokens(cast));
        cast.getSequencesList().forEach(s -> assertLexicon(s, 0.5));
    }

    @Test
    void anUnknownWordIsAnsweredByTheModel() {
        ScoredSequences east = decode("east", LexiconMode.LEXICON_MODE_UNSPECIFIED, 3);
        assertEquals(3, east.getSequencesCount(), east::toString);
        for (ScoredSequence s : east.getSequencesList()) {
            assertEquals(HypothesisSource.HYPOTHESIS_SOURCE_MODEL, s.getSource(), s::toString);
            assertEquals(Math.exp(s.getLogProb()), s.getProbability(), 1e-12, s::toString);
        }
    }

    @Test
    void theOverrideCorrectsAndAddsEntries() {
        assertEquals(List.of(List.of("S", "EH", "K", "S")), tokens(decode("sec", LexiconMode.LEXICON_MODE_UNSPECIFIED, 1)),
                "the override's pronunciation replaces the training entry");
        ScoredSequences ace = decode("ace", LexiconMode.LEXICON_MODE_LEXICON, 1);
        assertEquals(List.of(List.of("EH", "S")), tokens(ace));
        assertLexicon(ace.getSequences(0), 1.0);
    }

    @Test
    void modesForceTheModelOrTheLexicon() {
        ScoredSequences model = decode("cat", LexiconMode.LEXICON_MODE_MODEL, 2);
        assertEquals(2, model.getSequencesCount());
        assertTrue(model.getSequencesList().stream().allMatch(s -> s.getSource() == HypothesisSource.HYPOTHESIS_SOURCE_MODEL));
        // lexicon first with more hypotheses than the lexicon has: its entry, then the model's others
        ScoredSequences more = decode("cat", LexiconMode.LEXICON_MODE_FIRST, 3);
        assertEquals(3, more.getSequencesCount(), more::toString);
        assertLexicon(more.getSequences(0), 1.0);
        assertEquals(HypothesisSource.HYPOTHESIS_SOURCE_MODEL, more.getSequences(1).getSource());
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> decode("east", LexiconMode.LEXICON_MODE_LEXICON, 1));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("'east' is not in the lexicon of model lex/1"), e::toString);
    }
}
