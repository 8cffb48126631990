package io.crossmodal.decoder;

import static io.crossmodal.serving.common.testing.HostileTraffic.codes;

import com.google.protobuf.Message;
import io.crossmodal.proto.common.v1.Latent;
import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.proto.common.v1.TokenSequence;
import io.crossmodal.proto.decoder.v1.Beam;
import io.crossmodal.proto.decoder.v1.DecodeRequest;
import io.crossmodal.proto.decoder.v1.Greedy;
import io.crossmodal.proto.decoder.v1.Sampling;
import io.crossmodal.serving.common.testing.HostileInputContract;
import io.crossmodal.serving.common.testing.HostileTraffic;
import io.crossmodal.serving.common.testing.HostileTraffic.Case;
import io.crossmodal.serving.common.testing.HostileTraffic.Proto;
import io.crossmodal.serving.common.testing.TinyRegistryResource;
import io.grpc.Status;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The Decoder under hostile input (the storm and its checks: {@link HostileInputContract}): Decode requests with
 * strategy / n_best / max_length / temperature faults, latents sent to a seq2seq model, invalid UTF-8 in each
 * string field, and Decode-shaped huge messages.
 */
@QuarkusTest
@WithTestResource(TinyRegistryResource.class)
class DecoderHostileInputTest extends HostileInputContract {

    DecoderHostileInputTest() {
        super(new DecoderSpec(), 20261127L, List.of("broken", "p2gonly"));
    }

    @Override
    protected List<Huge> hugeRequests() {
        return List.of(
                new Huge("3 MiB model name", DecodeRequest.newBuilder().setModel(ModelRef.newBuilder().setName("b".repeat(3 << 20)))
                        .setTokens(TokenSequence.newBuilder().addTokens("c")).build().toByteArray(), Status.Code.INVALID_ARGUMENT),
                new Huge("3 MiB symbol", DecodeRequest.newBuilder().setModel(ModelRef.newBuilder().setName("tiny"))
                        .setTokens(TokenSequence.newBuilder().addTokens("\ud83d\ude00".repeat(3 << 18))).build().toByteArray(),
                        Status.Code.INVALID_ARGUMENT),
                new Huge("1,000,000 symbols", DecodeRequest.newBuilder().setModel(ModelRef.newBuilder().setName("tiny"))
                        .setTokens(TokenSequence.newBuilder().addAllTokens(Collections.nCopies(1_000_000, "a"))).build().toByteArray(),
                        Status.Code.INVALID_ARGUMENT),
                new Huge("a latent of 2 x 400,000", DecodeRequest.newBuilder().setModel(ModelRef.newBuilder().setName("tiny"))
                        .setLatent(Latent.newBuilder().addAllMean(Collections.nCopies(400_000, 0f))
                                .addAllLogVariance(Collections.nCopies(400_000, 1f))).build().toByteArray(),
                        Status.Code.INVALID_ARGUMENT));
    }

    /** Strategy, n_best, max_length: mostly valid and cheap, else one or more faults (all INVALID_ARGUMENT). */
    static Status.Code options(Random r, DecodeRequest.Builder b, StringBuilder d, double faultRate) {
        int nBest = 1 + r.nextInt(3);
        switch (r.nextInt(4)) {
            case 0 -> {
                b.setGreedy(Greedy.getDefaultInstance());
                nBest = 1;
            }
            case 1 -> b.setBeam(r.nextBoolean() ? Beam.getDefaultInstance() : Beam.newBuilder().setWidth(nBest + r.nextInt(3)).build());
            case 2 -> {
                Sampling.Builder s = Sampling.newBuilder();
                if (r.nextBoolean()) {
                    s.setTemperature(0.05f + r.nextFloat() * 5);
                }
                if (r.nextBoolean()) {
                    s.setSeed(r.nextLong());
                }
                b.setSampling(s);
            }
            default -> { }
        }
        if (nBest > 1 || r.nextBoolean()) {
            b.setNBest(nBest);
        }
        if (r.nextBoolean()) {
            b.setMaxLength(1 + r.nextInt(12));
        }
        if (r.nextDouble() >= faultRate) {
            return null;
        }
        switch (r.nextInt(6)) {
            case 0 -> {
                int v = HostileTraffic.absurdInt(r);
                b.setNBest(v >= 1 && v <= 64 ? 0 : v);
            }
            case 1 -> {
                int v = HostileTraffic.absurdInt(r);
                b.setMaxLength(v >= 1 && v <= 200 ? -v : v);
            }
            case 2 -> b.setGreedy(Greedy.getDefaultInstance()).setNBest(2 + r.nextInt(100));
            case 3 -> {
                int v = HostileTraffic.absurdInt(r);
                b.setBeam(Beam.newBuilder().setWidth(v >= 1 && v <= 64 ? 65 : v));
            }
            case 4 -> {
                int width = 1 + r.nextInt(63);
                b.setBeam(Beam.newBuilder().setWidth(width)).setNBest(width + 1 + r.nextInt(64 - width));
            }
            default -> b.setSampling(Sampling.newBuilder().setTemperature(HostileTraffic.absurdTemperature(r)).setSeed(r.nextLong()));
        }
        d.append(", strategy ").append(b.getStrategyCase()).append(b.hasBeam() && b.getBeam().hasWidth() ? " width " + b.getBeam().getWidth() : "")
                .append(b.hasSampling() && b.getSampling().hasTemperature() ? " temperature " + b.getSampling().getTemperature() : "")
                .append(", n_best ").append(b.hasNBest() ? b.getNBest() : "-").append(", max_length ")
                .append(b.hasMaxLength() ? b.getMaxLength() : "-");
        return Status.Code.INVALID_ARGUMENT;
    }

    @Override
    protected List<String> inputSymbols() {
        return GRAPHEMES;
    }

    @Override
    protected List<String> outputSymbols() {
        return PHONEMES;
    }

    @Override
    protected Draft draft(String requestId) {
        DecodeRequest.Builder b = DecodeRequest.newBuilder().setRequestId(requestId);
        return new Draft() {
            @Override
            public void model(ModelRef ref) {
                b.setModel(ref);
            }

            @Override
            public void tokens(List<String> tokens) {
                b.setTokens(TokenSequence.newBuilder().addAllTokens(tokens));
            }

            @Override
            public void foreignInput(Random r, StringBuilder d) {
                Latent latent = Latent.newBuilder().addAllMean(HostileTraffic.floats(r, r.nextInt(20)))
                        .addAllLogVariance(HostileTraffic.floats(r, r.nextInt(20))).build();
                b.setLatent(latent);
                d.append(", latent ").append(latent.getMeanCount()).append('/').append(latent.getLogVarianceCount());
            }

            @Override
            public Status.Code options(Random r, StringBuilder d, double faultRate) {
                return DecoderHostileInputTest.options(r, b, d, faultRate);
            }

            @Override
            public Message build() {
                return b.build();
            }
        };
    }

    @Override
    protected Case raw(Random r) {
        switch (r.nextInt(5)) {
            case 0, 1: {
                int where = r.nextInt(4);
                Proto ref = new Proto().bytes(1, HostileTraffic.utf8(r, "tiny", where == 1));
                if (where == 2) {
                    ref.bytes(r.nextBoolean() ? 2 : 3, HostileTraffic.utf8(r, r.nextBoolean() ? "1" : "production", true));
                }
                Proto tokens = new Proto();
                int n = 1 + r.nextInt(5);
                int bad = where == 3 ? r.nextInt(n) : -1;
                for (int i = 0; i < n; i++) {
                    tokens.bytes(1, HostileTraffic.utf8(r, GRAPHEMES.get(r.nextInt(GRAPHEMES.size())), i == bad));
                }
                byte[] bytes = new Proto().bytes(1, HostileTraffic.utf8(r, "req", where == 0)).message(2, ref)
                        .message(3, tokens).message(7, new Proto().fixed32(1, Float.floatToIntBits(1f))).build();
                String field = new String[] {"request_id", "model.name", "model.version/alias", "tokens"}[where];
                return new Case("invalid-utf8", "invalid UTF-8 in " + field, codes(Status.Code.INVALID_ARGUMENT),
                        rawInfer(bytes));
            }
            case 2: {
                byte[] garbage = HostileTraffic.randomBytes(r, r.nextInt(300));
                return new Case("garbage", garbage.length + " random bytes", rejections(),
                        r.nextInt(4) == 0 ? rawInfo(garbage) : rawInfer(garbage));
            }
            case 3: {
                byte[] whole = DecodeRequest.newBuilder().setRequestId("r")
                        .setModel(ModelRef.newBuilder().setName("tiny").setAlias("latest"))
                        .setTokens(TokenSequence.newBuilder().addAllTokens(List.of("c", "a", "t")))
                        .setSampling(Sampling.newBuilder().setTemperature(0.7f).setSeed(3)).setNBest(2).build().toByteArray();
                int cut = r.nextInt(whole.length);
                Set<Status.Code> expected = rejections();
                expected.add(Status.Code.OK);
                return new Case("truncated", "valid request cut to " + cut + " of " + whole.length + " bytes", expected,
                        rawInfer(Arrays.copyOf(whole, cut)));
            }
            default: {
                Proto p = new Proto();
                switch (r.nextInt(4)) {
                    case 0 -> p.varint(2, r.nextLong()).message(3, new Proto().string(1, "c"));
                    case 1 -> p.message(2, new Proto().string(1, "tiny")).message(3, new Proto().string(1, "c"))
                            .varint(7, 5);
                    case 2 -> p.message(2, new Proto().string(1, "tiny")).message(3, new Proto().string(1, "c"))
                            // sampling.temperature as a varint, n_best as fixed64: unknown fields, request valid
                            .message(7, new Proto().varint(1, 7)).fixed64(8, r.nextLong());
                    default -> p.verbatim(new byte[] {0x1A, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F, 0x0A});
                }
                Set<Status.Code> expected = rejections();
                expected.add(Status.Code.OK);
                return new Case("wire-type", "wrong wire types / overlong length", expected,
                        rawInfer(p.build()));
            }
        }
    }
}
