package io.crossmodal.trainer.api;

import static io.crossmodal.serving.common.testing.GrpcTesting.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.family.seq2seq.lexicon.LexiconFile;
import io.crossmodal.family.seq2seq.lexicon.PronunciationLexicon;
import io.crossmodal.proto.common.v1.LexiconMode;
import io.crossmodal.proto.trainer.v1.Component;
import io.crossmodal.proto.trainer.v1.DataConfig;
import io.crossmodal.proto.trainer.v1.Hyperparameters;
import io.crossmodal.proto.trainer.v1.Job;
import io.crossmodal.proto.trainer.v1.JobConfig;
import io.crossmodal.proto.trainer.v1.JobRef;
import io.crossmodal.proto.trainer.v1.JobState;
import io.crossmodal.proto.trainer.v1.LexiconConfig;
import io.crossmodal.proto.trainer.v1.ListJobsRequest;
import io.crossmodal.proto.trainer.v1.SplitConfig;
import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.ModelRegistry;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * {@code JobConfig.lexicon} over the real Trainer API: a job submitted with an override file registers a bundle whose
 * {@code lexicon.dict} holds the override's pronunciations (stress-stripped, replacing the training entries of its
 * words, adding new words) and whose serving default is the requested mode; an override path or file the job would
 * fail on is INVALID_ARGUMENT at submission and starts no job.
 */
@QuarkusTest
class TrainerLexiconOverrideTest extends TrainerApiClient {
    /** A tiny G2P job on the synthetic lexicon of TrainerGrpcServiceTest (seconds). */
    private static JobConfig.Builder tinyJob(String model) throws IOException {
        return JobConfig.newBuilder()
                .setModelName(model)
                .setData(DataConfig.newBuilder().setLexiconPath(TrainerGrpcServiceTest.lexicon().toString()))
                .setSplit(SplitConfig.newBuilder().setDev(30).setTest(40))
                .setHyperparameters(Hyperparameters.newBuilder().setEmbeddingSize(8).setEncoderHiddenSize(12)
                        .setDecoderHiddenSize(16).setEpochs(1).setBatchSize(32).setThreads(1).setDevWords(30).setBeamWidth(2))
                .addComponents(Component.COMPONENT_G2P)
                .setExport(true);
    }

    private static Path dataFile(String name, String content) throws IOException {
        return Files.writeString(TrainerGrpcServiceTest.dataDir().resolve(name), content, StandardCharsets.UTF_8);
    }

    @Test
    void anOverrideIsMergedIntoTheRegisteredBundle() throws Exception {
        String model = "api-override-" + System.nanoTime();
        // "bad" is a possible training word (the lexicon's letters): its entry is replaced; "zed" has a letter the
        // model never saw and is added; the digits are stress, stripped like the training data
        Path override = dataFile("override-" + model + ".dict", ";;; corrections\nBAD  B AA1 D\nBAD(2)  B EY1 D\n"
                + "ZED  Z EH1 D\n");
        Job job = trainer.startJob(tinyJob(model).setLexicon(LexiconConfig.newBuilder()
                .setOverridePath(override.toString()).setMode(LexiconMode.LEXICON_MODE_LEXICON)).build());
        // the job's effective config echoes the override (its real path) and the mode
        assertEquals(override.toRealPath().toString(), job.getConfig().getLexicon().getOverridePath(), job::toString);
        assertEquals(LexiconMode.LEXICON_MODE_LEXICON, job.getConfig().getLexicon().getMode());
        assertTrue(job.getConfig().getLexicon().getTraining());

        trainer.withDeadlineAfter(5, TimeUnit.MINUTES).streamProgress(JobRef.newBuilder().setJobId(job.getJobId()).build())
                .forEachRemaining(e -> { });
        Job done = trainer.getJob(JobRef.newBuilder().setJobId(job.getJobId()).build());
        assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState(), done::getMessage);

        Path registry = Path.of(ConfigProvider.getConfig().getValue("crossmodal.registry.dir", String.class));
        // load() verifies every listed file's checksum, lexicon.dict included
        Bundle bundle = new ModelRegistry(registry).load(model, done.getExported().getVersion());
        assertTrue(bundle.manifest().files().containsKey(LexiconFile.NAME), () -> "files: " + bundle.manifest().files());
        PronunciationLexicon lexicon = LexiconFile.read(bundle.readFile(LexiconFile.NAME));
        assertEquals(List.of(List.of("B", "AA", "D"), List.of("B", "EY", "D")), lexicon.pronunciations(List.of("b", "a", "d")));
        assertEquals(List.of(List.of("Z", "EH", "D")), lexicon.pronunciations(List.of("z", "e", "d")));
        assertTrue(lexicon.words() > 100, "the training entries are there too: " + lexicon.words() + " words");
        assertEquals(Map.of("lexicon", "lexicon"), bundle.manifest().servingFor("decoder").decoding());
        assertEquals(Map.of("lexicon", "lexicon"), bundle.manifest().servingFor("encoder").decoding());
    }

    @Test
    void badOverridesAreInvalidArgumentAndStartNoJob() throws Exception {
        int jobsBefore = trainer.listJobs(ListJobsRequest.getDefaultInstance()).getJobsCount();
        Path dataDir = TrainerGrpcServiceTest.dataDir();
        // outside the data directories and missing inside them: one answer, so the API does not tell what exists
        String outside = invalid(overrideJob("/etc/passwd"));
        assertTrue(outside.contains("lexicon.override_path") && outside.contains("data directories"), outside);
        assertFalse(outside.contains("root:"), outside);
        assertEquals(outside, invalid(overrideJob(dataDir + "/no-such-override.dict")));
        assertEquals(outside, invalid(overrideJob(dataDir + "/../../../../../../etc/passwd")));
        assertEquals(outside, invalid(overrideJob("relative/override.dict")));
        assertEquals(outside, invalid(overrideJob(dataDir.toString())));

        // inside, but larger than the bound (a sparse file: no disk used)
        Path big = dataDir.resolve("big-override.dict");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(65L * 1024 * 1024);
        }
        try {
            String tooLarge = invalid(overrideJob(big.toString()));
            assertTrue(tooLarge.contains("lexicon.override_path") && tooLarge.contains("lexicon-max-bytes"), tooLarge);
        } finally {
            Files.deleteIfExists(big);
        }

        // not CMUdict text: the first malformed line is named; a file without entries is refused too
        String malformed = invalid(overrideJob(dataFile("malformed.dict", "BAD  B AE1 D\nJUSTAWORD\n").toString()));
        assertTrue(malformed.contains("lexicon.override_path") && malformed.contains("line 2")
                && malformed.contains("no phonemes"), malformed);
        // the fault is named, the file's text is not echoed (as for every data path)
        String marker = invalid(overrideJob(dataFile("marker.dict", "BAD  B AE1 D\nSECRETWORD(0)  B AE1 D\n").toString()));
        assertTrue(marker.contains("line 2") && marker.contains("alternate marker") && !marker.contains("SECRETWORD"), marker);
        String binary = invalid(overrideJob(Files.write(dataDir.resolve("binary.dict"),
                new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2, '\n', (byte) 0x80}).toString()));
        assertTrue(binary.contains("lexicon.override_path") && binary.contains("line 1"), binary);
        String empty = invalid(overrideJob(dataFile("comments-only.dict", ";;; nothing\n").toString()));
        assertTrue(empty.contains("no entries"), empty);

        // the lexicon-only mode without any lexicon, and a lexicon for a family that has none
        String noLexicon = invalid(tinyJob("api-override-bad").setLexicon(LexiconConfig.newBuilder().setTraining(false)
                .setMode(LexiconMode.LEXICON_MODE_LEXICON)).build());
        assertTrue(noLexicon.contains("needs a lexicon"), noLexicon);
        String unknownMode = invalid(tinyJob("api-override-bad").setLexicon(LexiconConfig.newBuilder().setModeValue(77)).build());
        assertTrue(unknownMode.contains("lexicon.mode"), unknownMode);
        String otherFamily = invalid(JobConfig.newBuilder().setModelName("api-override-bad").setFamilyName("pvae")
                .setLexicon(LexiconConfig.newBuilder().setMode(LexiconMode.LEXICON_MODE_MODEL)).build());
        assertTrue(otherFamily.contains("seq2seq family only"), otherFamily);

        assertEquals(jobsBefore, trainer.listJobs(ListJobsRequest.getDefaultInstance()).getJobsCount(), "a refused job was started");
    }

    private static JobConfig overrideJob(String path) throws IOException {
        return tinyJob("api-override-bad").setLexicon(LexiconConfig.newBuilder().setOverridePath(path)).build();
    }

    /** The INVALID_ARGUMENT description StartJob answers {@code request} with. */
    private String invalid(JobConfig request) {
        StatusRuntimeException e = fails(Status.Code.INVALID_ARGUMENT, () -> trainer.startJob(request));
        return e.getStatus().getDescription();
    }
}
