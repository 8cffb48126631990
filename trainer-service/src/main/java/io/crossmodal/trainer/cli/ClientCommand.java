package io.crossmodal.trainer.cli;

import io.crossmodal.family.seq2seq.vocab.Vocabulary;
import io.crossmodal.proto.common.v1.LexiconMode;
import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.proto.common.v1.ScoredSequence;
import io.crossmodal.proto.common.v1.TokenSequence;
import io.crossmodal.proto.decoder.v1.Beam;
import io.crossmodal.proto.decoder.v1.DecodeRequest;
import io.crossmodal.proto.decoder.v1.DecodeResponse;
import io.crossmodal.proto.decoder.v1.DecoderGrpc;
import io.crossmodal.proto.encoder.v1.EncodeRequest;
import io.crossmodal.proto.encoder.v1.EncodeResponse;
import io.crossmodal.proto.encoder.v1.EncoderGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code client decode|encode}: one request to a running decoder (spelling -> pronunciation) or
 * encoder (pronunciation -> spelling) service; prints the n-best list. Plaintext, TLS, mutual TLS and a bearer
 * token: {@link ClientConnectionOptions}, {@link ClientChannels}.
 */
@Command(name = "client", description = "One request to a running decoder (decode: G2P, --input WORD) or encoder (encode: "
        + "P2G, --input \"PH1 PH2 ...\") service; prints the n-best list, each hypothesis with its probability and source"
        + " (lexicon or model).")
final class ClientCommand implements Callable<Integer> {
    /** Which service: the decoder (spelling in) or the encoder (phonemes in). */
    enum Mode { decode, encode }

    @Mixin
    HelpOption help;

    @Parameters(index = "0", paramLabel = "decode|encode", description = "decode (a word) or encode (phonemes).")
    Mode mode;

    @Mixin
    ClientConnectionOptions connection;

    @Option(names = "--model", required = true, paramLabel = "NAME", description = "Model name.")
    String model;

    @Option(names = "--input", required = true, paramLabel = "TEXT",
            description = "A word (decode) or space-separated phonemes (encode).")
    String input;

    @Option(names = "--nbest", defaultValue = "3", paramLabel = "N", description = "Hypotheses to print (default: ${DEFAULT-VALUE}).")
    int nBest;

    @Option(names = "--beam", defaultValue = "5", paramLabel = "N", description = "Beam width (default: ${DEFAULT-VALUE}).")
    int beam;

    /** The request's {@code lexicon} field (common.proto {@code LexiconMode}; docs/LEXICON.md). */
    enum Lexicon {
        first(LexiconMode.LEXICON_MODE_FIRST), model(LexiconMode.LEXICON_MODE_MODEL), lexicon(LexiconMode.LEXICON_MODE_LEXICON);

        final LexiconMode proto;

        Lexicon(LexiconMode proto) {
            this.proto = proto;
        }
    }

    @Option(names = "--lexicon", paramLabel = "MODE", description = "How the model's pronunciation lexicon answers (docs/LEXICON.md):"
            + " first (a known input from the lexicon, an unknown one from the model), model (the model only) or lexicon (the"
            + " lexicon only; an unknown input is an error). Default: the model's own default (first when it has a lexicon).")
    Lexicon lexicon;

    /** The option as the request's enum; unset = UNSPECIFIED, the model's default. */
    LexiconMode lexiconMode() {
        return lexicon == null ? LexiconMode.LEXICON_MODE_UNSPECIFIED : lexicon.proto;
    }

    @Override
    public Integer call() throws InterruptedException {
        ManagedChannel channel = connection.channels().open();
        try {
            List<ScoredSequence> hyps;
            String requestId = UUID.randomUUID().toString();
            ModelRef ref = ModelRef.newBuilder().setName(model).build();
            switch (mode) {
                case decode -> {
                    DecodeResponse r = DecoderGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                            .decode(DecodeRequest.newBuilder().setRequestId(requestId).setModel(ref)
                                    .setTokens(TokenSequence.newBuilder().addAllTokens(Vocabulary.graphemes(input.toLowerCase(Locale.ROOT))))
                                    .setBeam(Beam.newBuilder().setWidth(beam)).setNBest(nBest).setLexicon(lexiconMode()).build());
                    System.out.printf("decoder %s/%s  %s ->%n", r.getModelName(), r.getModelVersion(), input);
                    hyps = r.getSequences().getSequencesList();
                }
                case encode -> {
                    EncodeResponse r = EncoderGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                            .encode(EncodeRequest.newBuilder().setRequestId(requestId).setModel(ref)
                                    .setTokens(TokenSequence.newBuilder().addAllTokens(List.of(input.trim().split("\\s+"))))
                                    .setBeamWidth(beam).setNBest(nBest).setLexicon(lexiconMode()).build());
                    System.out.printf("encoder %s/%s  %s ->%n", r.getModelName(), r.getModelVersion(), input);
                    hyps = r.getHypotheses().getSequencesList();
                }
                default -> throw new IllegalStateException("unhandled mode " + mode);
            }
            String sep = mode == Mode.decode ? " " : "";
            for (ScoredSequence s : hyps) {
                // where each hypothesis comes from (docs/LEXICON.md): the model's pronunciation lexicon or the model
                String source = switch (s.getSource()) {
                    case HYPOTHESIS_SOURCE_LEXICON -> "lexicon";
                    case HYPOTHESIS_SOURCE_MODEL -> "model";
                    default -> "";
                };
                System.out.printf(Locale.ROOT, "  %-30s log p = %.3f  p = %.3f  %s%n", String.join(sep, s.getTokensList()),
                        s.getLogProb(), s.getProbability(), source);
            }
            return 0;
        } catch (StatusRuntimeException e) {
            System.err.println("error: " + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
            return 1;
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
