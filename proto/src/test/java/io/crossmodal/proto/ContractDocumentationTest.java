package io.crossmodal.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.DescriptorProtos.SourceCodeInfo;
import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.proto.common.v1.ScoredSequence;
import io.crossmodal.proto.common.v1.ScoredSequences;
import io.crossmodal.proto.common.v1.TokenSequence;
import io.crossmodal.proto.decoder.v1.Beam;
import io.crossmodal.proto.decoder.v1.DecodeRequest;
import io.crossmodal.proto.decoder.v1.DecoderGrpc;
import io.crossmodal.proto.encoder.v1.EncodeRequest;
import io.crossmodal.proto.encoder.v1.EncodeResponse;
import io.crossmodal.proto.encoder.v1.EncoderGrpc;
import io.crossmodal.proto.trainer.v1.TrainerGrpc;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Checks the compiled contracts: every service, RPC, message, field, oneof, enum and enum value
 * of the crossmodal packages carries a leading comment, packages and Java options follow the
 * conventions, and the generated classes are usable.
 */
class ContractDocumentationTest {

    // field numbers in descriptor.proto, used to build SourceCodeInfo paths
    private static final int FILE_MESSAGE_TYPE = 4;
    private static final int FILE_ENUM_TYPE = 5;
    private static final int FILE_SERVICE = 6;
    private static final int MESSAGE_FIELD = 2;
    private static final int MESSAGE_NESTED_TYPE = 3;
    private static final int MESSAGE_ENUM_TYPE = 4;
    private static final int MESSAGE_ONEOF_DECL = 8;
    private static final int ENUM_VALUE = 2;
    private static final int SERVICE_METHOD = 2;

    private static FileDescriptorSet load() throws Exception {
        try (InputStream in = ContractDocumentationTest.class.getResourceAsStream("/crossmodal/crossmodal-v1.protoset")) {
            assertNotNull(in, "descriptor set missing from the jar");
            return FileDescriptorSet.parseFrom(in);
        }
    }

    private static List<FileDescriptorProto> crossmodalFiles() throws Exception {
        return load().getFileList().stream().filter(f -> f.getName().startsWith("crossmodal/")).toList();
    }

    @Test
    void allFourPackagesArePresentWithJavaConventions() throws Exception {
        List<FileDescriptorProto> files = crossmodalFiles();
        Set<String> packages = files.stream().map(FileDescriptorProto::getPackage).collect(Collectors.toSet());
        assertEquals(Set.of("crossmodal.common.v1", "crossmodal.trainer.v1", "crossmodal.encoder.v1", "crossmodal.decoder.v1"),
                packages);
        for (FileDescriptorProto f : files) {
            assertTrue(f.getOptions().getJavaMultipleFiles(), f.getName() + ": java_multiple_files");
            String x = f.getPackage().split("\\.")[1];
            assertEquals("io.crossmodal.proto." + x + ".v1", f.getOptions().getJavaPackage(), f.getName());
        }
    }

    @Test
    void everyElementIsDocumented() throws Exception {
        List<String> undocumented = new ArrayList<>();
        for (FileDescriptorProto f : crossmodalFiles()) {
            Map<List<Integer>, SourceCodeInfo.Location> byPath = new HashMap<>();
            for (SourceCodeInfo.Location loc : f.getSourceCodeInfo().getLocationList()) {
                byPath.put(loc.getPathList(), loc);
            }
            assertFalse(byPath.isEmpty(), f.getName() + ": no source info");
            for (int i = 0; i < f.getMessageTypeCount(); i++) {
                checkMessage(f.getName(), f.getPackage(), f.getMessageType(i), List.of(FILE_MESSAGE_TYPE, i), byPath, undocumented);
            }
            for (int i = 0; i < f.getEnumTypeCount(); i++) {
                checkEnum(f.getName(), f.getPackage(), f.getEnumType(i), List.of(FILE_ENUM_TYPE, i), byPath, undocumented);
            }
            for (int i = 0; i < f.getServiceCount(); i++) {
                ServiceDescriptorProto s = f.getService(i);
                List<Integer> path = List.of(FILE_SERVICE, i);
                require(byPath, path, f.getName() + " service " + s.getName(), undocumented);
                for (int j = 0; j < s.getMethodCount(); j++) {
                    require(byPath, append(path, SERVICE_METHOD, j), f.getName() + " rpc " + s.getName() + "." + s.getMethod(j).getName(),
                            undocumented);
                }
            }
        }
        assertTrue(undocumented.isEmpty(), "undocumented elements:\n" + String.join("\n", undocumented));
    }

    private static void checkMessage(String file, String scope, DescriptorProto m, List<Integer> path,
            Map<List<Integer>, SourceCodeInfo.Location> byPath, List<String> undocumented) {
        String name = scope + "." + m.getName();
        require(byPath, path, file + " message " + name, undocumented);
        for (int j = 0; j < m.getFieldCount(); j++) {
            require(byPath, append(path, MESSAGE_FIELD, j), file + " field " + name + "." + m.getField(j).getName(), undocumented);
        }
        for (int j = 0; j < m.getOneofDeclCount(); j++) {
            String oneof = m.getOneofDecl(j).getName();
            if (oneof.startsWith("_")) {
                continue; // synthetic oneof of a proto3 `optional` field
            }
            require(byPath, append(path, MESSAGE_ONEOF_DECL, j), file + " oneof " + name + "." + oneof, undocumented);
        }
        for (int j = 0; j < m.getNestedTypeCount(); j++) {
            DescriptorProto nested = m.getNestedType(j);
            if (nested.getOptions().getMapEntry()) {
                continue; // synthetic map entry
            }
            checkMessage(file, name, nested, append(path, MESSAGE_NESTED_TYPE, j), byPath, undocumented);
        }
        for (int j = 0; j < m.getEnumTypeCount(); j++) {
            checkEnum(file, name, m.getEnumType(j), append(path, MESSAGE_ENUM_TYPE, j), byPath, undocumented);
        }
    }

    private static void checkEnum(String file, String scope, EnumDescriptorProto e, List<Integer> path,
            Map<List<Integer>, SourceCodeInfo.Location> byPath, List<String> undocumented) {
        require(byPath, path, file + " enum " + scope + "." + e.getName(), undocumented);
        for (int j = 0; j < e.getValueCount(); j++) {
            require(byPath, append(path, ENUM_VALUE, j), file + " enum value " + e.getValue(j).getName(), undocumented);
        }
    }

    private static void require(Map<List<Integer>, SourceCodeInfo.Location> byPath, List<Integer> path, String what,
            List<String> undocumented) {
        SourceCodeInfo.Location loc = byPath.get(path);
        if (loc == null || loc.getLeadingComments().isBlank()) {
            undocumented.add(what);
        }
    }

    private static List<Integer> append(List<Integer> path, int a, int b) {
        List<Integer> out = new ArrayList<>(path);
        out.add(a);
        out.add(b);
        return out;
    }

    @Test
    void generatedMessagesAndStubsAreUsable() throws Exception {
        EncodeRequest req = EncodeRequest.newBuilder()
                .setRequestId("r1")
                .setModel(ModelRef.newBuilder().setName("cmu").setAlias("production"))
                .setTokens(TokenSequence.newBuilder().addTokens("K").addTokens("AE1").addTokens("T"))
                .setNBest(3)
                .build();
        EncodeRequest back = EncodeRequest.parseFrom(req.toByteArray());
        assertEquals(req, back);
        assertEquals(EncodeRequest.InputCase.TOKENS, back.getInputCase());
        assertEquals(ModelRef.SelectorCase.ALIAS, back.getModel().getSelectorCase());
        // an empty selector is representable and distinguishable
        assertEquals(ModelRef.SelectorCase.SELECTOR_NOT_SET, ModelRef.newBuilder().setName("cmu").build().getSelectorCase());

        EncodeResponse resp = EncodeResponse.newBuilder()
                .setHypotheses(ScoredSequences.newBuilder()
                        .addSequences(ScoredSequence.newBuilder().addTokens("c").setLogProb(-0.5)))
                .build();
        assertEquals(EncodeResponse.OutputCase.HYPOTHESES, resp.getOutputCase());

        DecodeRequest d = DecodeRequest.newBuilder().setBeam(Beam.newBuilder().setWidth(8)).build();
        assertEquals(DecodeRequest.StrategyCase.BEAM, d.getStrategyCase());
        assertEquals(DecodeRequest.InputCase.INPUT_NOT_SET, d.getInputCase());

        assertEquals("crossmodal.encoder.v1.Encoder", EncoderGrpc.SERVICE_NAME);
        assertEquals("crossmodal.decoder.v1.Decoder", DecoderGrpc.SERVICE_NAME);
        assertEquals("crossmodal.trainer.v1.Trainer", TrainerGrpc.SERVICE_NAME);
        assertEquals(10, TrainerGrpc.getServiceDescriptor().getMethods().size());
        assertEquals(3, EncoderGrpc.getServiceDescriptor().getMethods().size());
        assertEquals(3, DecoderGrpc.getServiceDescriptor().getMethods().size());
    }
}
