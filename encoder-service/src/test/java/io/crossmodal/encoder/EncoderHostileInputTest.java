package io.crossmodal.encoder;

import static io.crossmodal.serving.common.testing.HostileTraffic.codes;

import com.google.protobuf.Message;
import io.crossmodal.proto.common.v1.FrameSequence;
import io.crossmodal.proto.common.v1.Image;
import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.proto.common.v1.TokenSequence;
import io.crossmodal.proto.encoder.v1.EncodeRequest;
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
 * The Encoder under hostile input (the storm and its checks: {@link HostileInputContract}): Encode requests with
 * n_best / beam_width / max_length faults, frames or images sent to a seq2seq model, invalid UTF-8 in each string
 * field, and Encode-shaped huge messages.
 */
@QuarkusTest
@WithTestResource(TinyRegistryResource.class)
class EncoderHostileInputTest extends HostileInputContract {

    EncoderHostileInputTest() {
        super(new EncoderSpec(), 20261126L, List.of("broken", "g2ponly"));
    }

    @Override
    protected List<Huge> hugeRequests() {
        return List.of(
                new Huge("3 MiB model name", EncodeRequest.newBuilder().setModel(ModelRef.newBuilder().setName("a".repeat(3 << 20)))
                        .setTokens(TokenSequence.newBuilder().addTokens("K")).build().toByteArray(), Status.Code.INVALID_ARGUMENT),
                new Huge("3 MiB symbol", EncodeRequest.newBuilder().setModel(ModelRef.newBuilder().setName("tiny"))
                        .setTokens(TokenSequence.newBuilder().addTokens("\u00e9".repeat(3 << 19))).build().toByteArray(),
                        Status.Code.INVALID_ARGUMENT),
                new Huge("500,000 symbols", EncodeRequest.newBuilder().setModel(ModelRef.newBuilder().setName("tiny"))
                        .setTokens(TokenSequence.newBuilder().addAllTokens(Collections.nCopies(500_000, "AE"))).build().toByteArray(),
                        Status.Code.INVALID_ARGUMENT),
                new Huge("900,000 frame values", EncodeRequest.newBuilder().setModel(ModelRef.newBuilder().setName("tiny"))
                        .setFrames(FrameSequence.newBuilder().setFrameDim(3).addAllValues(Collections.nCopies(900_000, 0.5f)))
                        .build().toByteArray(), Status.Code.INVALID_ARGUMENT));
    }

    /** n_best / beam_width / max_length: mostly valid and cheap, else one or more out of range. */
    static Status.Code options(Random r, EncodeRequest.Builder b, StringBuilder d, double faultRate) {
        boolean fault = r.nextDouble() < faultRate;
        int nBest = 1 + r.nextInt(3);
        if (r.nextBoolean()) {
            b.setNBest(nBest);
        }
        if (r.nextBoolean()) {
            b.setBeamWidth(nBest + r.nextInt(3));
        }
        if (r.nextBoolean()) {
            b.setMaxLength(1 + r.nextInt(12));
        }
        if (!fault) {
            return null;
        }
        switch (r.nextInt(4)) {
            case 0 -> {
                int v = HostileTraffic.absurdInt(r);
                b.setNBest(v >= 1 && v <= 64 ? 0 : v);
            }
            case 1 -> {
                int v = HostileTraffic.absurdInt(r);
                b.setBeamWidth(v >= 1 && v <= 64 ? -v : v);
            }
            case 2 -> {
                int width = 1 + r.nextInt(63);
                b.setBeamWidth(width).setNBest(width + 1 + r.nextInt(64 - width));
            }
            default -> {
                int v = HostileTraffic.absurdInt(r);
                b.setMaxLength(v >= 1 && v <= 200 ? 201 : v);
            }
        }
        d.append(", n_best ").append(b.hasNBest() ? b.getNBest() : "-").append(" beam_width ")
                .append(b.hasBeamWidth() ? b.getBeamWidth() : "-").append(" max_length ")
                .append(b.hasMaxLength() ? b.getMaxLength() : "-");
        return Status.Code.INVALID_ARGUMENT;
    }

    @Override
    protected List<String> inputSymbols() {
        return PHONEMES;
    }

    @Override
    protected List<String> outputSymbols() {
        return GRAPHEMES;
    }

    @Override
    protected double optionFaultRate() {
        return 0.25;
    }

    @Override
    protected Draft draft(String requestId) {
        EncodeRequest.Builder b = EncodeRequest.newBuilder().setRequestId(requestId);
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
                // frames or an image: never a seq2seq input, whatever the sizes say
                if (r.nextBoolean()) {
                    int dim = HostileTraffic.absurdInt(r) % 5;
                    b.setFrames(FrameSequence.newBuilder().setFrameDim(dim).addAllValues(HostileTraffic.floats(r, r.nextInt(50))));
                    d.append(", frames of dim ").append(dim).append(" with ").append(b.getFrames().getValuesCount()).append(" values");
                } else {
                    Image.Builder image = Image.newBuilder().setHeight(r.nextInt(5) - 1).setWidth(HostileTraffic.absurdInt(r))
                            .setChannels(r.nextInt(4)).addAllPixels(HostileTraffic.floats(r, r.nextInt(30)));
                    b.setImage(image);
                    d.append(", image ").append(image.getHeight()).append('x').append(image.getWidth()).append('x')
                            .append(image.getChannels()).append(" with ").append(image.getPixelsCount()).append(" pixels");
                }
            }

            @Override
            public Status.Code options(Random r, StringBuilder d, double faultRate) {
                return EncoderHostileInputTest.options(r, b, d, faultRate);
            }

            @Override
            public Message build() {
                return b.build();
            }
        };
    }

    /** Bytes no generated builder writes: invalid UTF-8, garbage, truncation, wrong wire types. */
    @Override
    protected Case raw(Random r) {
        switch (r.nextInt(5)) {
            case 0, 1: {
                // invalid UTF-8 in one of the string fields (the rest valid): unparseable
                int where = r.nextInt(5);
                Proto ref = new Proto().bytes(1, HostileTraffic.utf8(r, "tiny", where == 1));
                if (where == 2) {
                    ref.bytes(2, HostileTraffic.utf8(r, "1", true));
                } else if (where == 3) {
                    ref.bytes(3, HostileTraffic.utf8(r, "production", true));
                }
                Proto tokens = new Proto();
                int n = 1 + r.nextInt(5);
                int bad = where == 4 || where == 0 && r.nextBoolean() ? r.nextInt(n) : -1;
                for (int i = 0; i < n; i++) {
                    tokens.bytes(1, HostileTraffic.utf8(r, PHONEMES.get(r.nextInt(PHONEMES.size())), i == bad));
                }
                boolean corruptId = where == 0 && bad < 0;
                byte[] bytes = new Proto().bytes(1, HostileTraffic.utf8(r, "req", corruptId)).message(2, ref)
                        .message(3, tokens).build();
                String field = switch (where) {
                    case 0 -> corruptId ? "request_id" : "tokens";
                    case 1 -> "model.name";
                    case 2 -> "model.version";
                    case 3 -> "model.alias";
                    default -> "tokens";
                };
                return new Case("invalid-utf8", "invalid UTF-8 in " + field, codes(Status.Code.INVALID_ARGUMENT),
                        rawInfer(bytes));
            }
            case 2: {
                byte[] garbage = HostileTraffic.randomBytes(r, r.nextInt(300));
                // random bytes may by chance parse (as unknown fields), but never into a valid request
                Set<Status.Code> expected = rejections();
                return new Case("garbage", garbage.length + " random bytes", expected,
                        r.nextInt(4) == 0 ? rawInfo(garbage) : rawInfer(garbage));
            }
            case 3: {
                EncodeRequest valid = EncodeRequest.newBuilder().setRequestId("r")
                        .setModel(ModelRef.newBuilder().setName("tiny").setVersion("2"))
                        .setTokens(TokenSequence.newBuilder().addTokens("K").addTokens("AE").addTokens("T")).setNBest(2).build();
                byte[] whole = valid.toByteArray();
                int cut = r.nextInt(whole.length);
                byte[] bytes = Arrays.copyOf(whole, cut);
                // a cut at a field boundary leaves a valid (shorter) message
                Set<Status.Code> expected = rejections();
                expected.add(Status.Code.OK);
                return new Case("truncated", "valid request cut to " + cut + " of " + whole.length + " bytes", expected,
                        rawInfer(bytes));
            }
            default: {
                // known field numbers with the wrong wire type (kept as unknown fields), or a length beyond the end
                Proto p = new Proto();
                switch (r.nextInt(3)) {
                    case 0 -> p.varint(2, r.nextLong()).message(3, new Proto().string(1, "K"));
                    case 1 -> p.message(2, new Proto().varint(1, 5)).fixed32(3, r.nextInt());
                    default -> p.verbatim(new byte[] {0x12, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0x7F, 0x0A, 0x01});
                }
                return new Case("wire-type", "wrong wire types / overlong length", rejections(),
                        rawInfer(p.build()));
            }
        }
    }
}
