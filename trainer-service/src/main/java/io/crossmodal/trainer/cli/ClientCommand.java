package io.crossmodal.trainer.cli;

import io.crossmodal.family.seq2seq.vocab.Vocabulary;
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
import java.util.concurrent.TimeUnit;

/**
 * {@code client decode|encode}: one request to a running decoder (spelling -> pronunciation) or
 * encoder (pronunciation -> spelling) service; prints the n-best list. Plaintext, TLS, mutual TLS and a bearer
 * token: {@link ClientChannels}.
 */
final class ClientCommand {
    private ClientCommand() {}

    static int run(String[] args) throws InterruptedException {
        if (args.length == 0) {
            throw new IllegalArgumentException("client needs 'decode' or 'encode'");
        }
        String mode = args[0];
        ClientChannels connection = ClientChannels.fromArgs(args);
        String model = TrainerCli.option(args, "--model");
        String input = TrainerCli.option(args, "--input");
        int nBest = Integer.parseInt(TrainerCli.option(args, "--nbest", "3"));
        int beam = Integer.parseInt(TrainerCli.option(args, "--beam", "5"));
        ManagedChannel channel = connection.open();
        try {
            List<ScoredSequence> hyps;
            String requestId = UUID.randomUUID().toString();
            ModelRef ref = ModelRef.newBuilder().setName(model).build();
            switch (mode) {
                case "decode" -> {
                    DecodeResponse r = DecoderGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                            .decode(DecodeRequest.newBuilder().setRequestId(requestId).setModel(ref)
                                    .setTokens(TokenSequence.newBuilder().addAllTokens(Vocabulary.graphemes(input.toLowerCase(Locale.ROOT))))
                                    .setBeam(Beam.newBuilder().setWidth(beam)).setNBest(nBest).build());
                    System.out.printf("decoder %s/%s  %s ->%n", r.getModelName(), r.getModelVersion(), input);
                    hyps = r.getSequences().getSequencesList();
                }
                case "encode" -> {
                    EncodeResponse r = EncoderGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                            .encode(EncodeRequest.newBuilder().setRequestId(requestId).setModel(ref)
                                    .setTokens(TokenSequence.newBuilder().addAllTokens(List.of(input.trim().split("\\s+"))))
                                    .setBeamWidth(beam).setNBest(nBest).build());
                    System.out.printf("encoder %s/%s  %s ->%n", r.getModelName(), r.getModelVersion(), input);
                    hyps = r.getHypotheses().getSequencesList();
                }
                default -> throw new IllegalArgumentException("client mode must be decode or encode, got '" + mode + "'");
            }
            String sep = mode.equals("decode") ? " " : "";
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
