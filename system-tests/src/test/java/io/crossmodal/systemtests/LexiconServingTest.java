package io.crossmodal.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.crossmodal.proto.common.v1.HypothesisSource;
import io.crossmodal.proto.common.v1.LexiconMode;
import io.crossmodal.proto.common.v1.ModelRef;
import io.crossmodal.proto.common.v1.ScoredSequence;
import io.crossmodal.proto.common.v1.ScoredSequences;
import io.crossmodal.proto.common.v1.TokenSequence;
import io.crossmodal.proto.decoder.v1.DecodeRequest;
import io.crossmodal.proto.decoder.v1.DecoderGrpc;
import io.crossmodal.proto.encoder.v1.EncodeRequest;
import io.crossmodal.proto.encoder.v1.EncoderGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Lexicon-first serving end to end, with a lexicon that is not CMUdict's: spellings with non-ASCII letters
 * (é, ö, ß) and a phoneme inventory that is not ARPAbet (IPA symbols, multi-character symbols, symbols ending in
 * digits that are not stress). The packaged trainer CLI trains a tiny G2P + P2G model on it (seconds) with a
 * user's override file and registers the bundle; the packaged decoder-service and encoder-service serve it, and
 * a known word, a heteronym, homophones, an unknown word and the override's entries are asked for over gRPC.
 */
class LexiconServingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final Apps apps = new Apps();

    /** Letter -> phoneme symbol: "ß" and "s" sound alike (homophones), "é" and "ö" are symbols with digits. */
    private static final Map<String, String> SOUNDS = new LinkedHashMap<>();

    static {
        String[][] pairs = {{"a", "aː"}, {"b", "b"}, {"d", "d"}, {"é", "e1"}, {"k", "k"}, {"l", "l"}, {"m", "m"},
            {"n", "n"}, {"ö", "ø2"}, {"r", "ʁ"}, {"s", "s"}, {"ß", "s"}, {"t", "ts2"}, {"u", "u0"}};
        for (String[] p : pairs) {
            SOUNDS.put(p[0], p[1]);
        }
    }

    /** A word's regular pronunciation under SOUNDS. */
    private static List<String> regular(String word) {
        List<String> out = new ArrayList<>();
        word.codePoints().forEach(cp -> out.add(SOUNDS.get(new String(Character.toChars(cp)))));
        return out;
    }

    /** 400 distinct words of 3-6 letters; every tenth also has a second pronunciation (a heteronym). */
    private static String lexiconText() {
        List<String> letters = List.copyOf(SOUNDS.keySet());
        Random r = new Random(5);
        Map<String, List<List<String>>> words = new LinkedHashMap<>();
        while (words.size() < 400) {
            StringBuilder w = new StringBuilder();
            for (int n = 3 + r.nextInt(4); n > 0; n--) {
                w.append(letters.get(r.nextInt(letters.size())));
            }
            String word = w.toString();
            if (words.containsKey(word)) {
                continue;
            }
            List<List<String>> prons = new ArrayList<>(List.of(regular(word)));
            if (words.size() % 10 == 0) {
                List<String> alt = new ArrayList<>(regular(word));
                alt.add("ə");
                prons.add(alt);
            }
            words.put(word, prons);
        }
        // corrected by the override
        words.put("mas", List.of(regular("mas")));
        StringBuilder out = new StringBuilder("# a lexicon in CMUdict text format with another inventory\n");
        words.forEach((w, prons) -> {
            for (int i = 0; i < prons.size(); i++) {
                out.append(w.toUpperCase(java.util.Locale.ROOT)).append(i == 0 ? "" : "(" + (i + 1) + ")")
                        .append("  ").append(String.join(" ", prons.get(i))).append('\n');
            }
        });
        return out.toString();
    }

    /** The bundle's lexicon.dict as word -> pronunciations (a simple reader of the CMUdict text the trainer wrote). */
    private static Map<String, List<List<String>>> bundleLexicon(Path file) throws Exception {
        Map<String, List<List<String>>> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank() || line.startsWith(";;;")) {
                continue;
            }
            String[] f = line.strip().split("[ \t]+");
            String word = f[0].replaceFirst("\\(\\d+\\)$", "");
            out.computeIfAbsent(word, k -> new ArrayList<>()).add(List.of(f).subList(1, f.length));
        }
        return out;
    }

    private static List<String> graphemes(String word) {
        List<String> out = new ArrayList<>();
        word.codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
        return out;
    }

    private static List<List<String>> tokens(ScoredSequences s) {
        return s.getSequencesList().stream().map(q -> List.copyOf(q.getTokensList())).toList();
    }

    @Test
    void aLexiconWithAnotherInventoryIsTrainedAndServedLexiconFirst() throws Exception {
        Path work = apps.workDir();
        Path lexicon = work.resolve("data/lexicon.txt");
        Files.createDirectories(lexicon.getParent());
        Files.writeString(lexicon, lexiconText(), StandardCharsets.UTF_8);
        // the override: a word with a letter the model never saw (z), "mas" corrected, and two spellings of "m aː s"
        Path override = work.resolve("data/override.txt");
        Files.writeString(override, "ZÖK  ts2 ø2 k\nMAS  m a s\nMAß  m aː s\nMAAS  m aː s\n", StandardCharsets.UTF_8);
        Path registry = work.resolve("registry");
        String model = "ipa-lexicon";
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("name", model);
        job.put("data", Map.of("source", lexicon.toString()));
        job.put("split", Map.of("dev", 20, "test", 20));
        job.put("model", Map.of("embed", 8, "encHidden", 12, "decHidden", 16, "maxOutputLength", 12));
        job.put("train", Map.of("batchSize", 32, "epochs", 2, "threads", 1, "devWords", 20, "beamWidth", 2));
        job.put("components", List.of("g2p", "p2g"));
        job.put("runDir", work.resolve("runs").toString());
        job.put("registryDir", registry.toString());
        job.put("lexicon", Map.of("override", override.toString()));
        Path config = work.resolve("job.json");
        JSON.writeValue(config.toFile(), job);

        // the trainer CLI from the packaged layout, as the Kubernetes Job runs it (k8s/base/trainer-job.yaml)
        Path app = Apps.quarkusApp("trainer");
        List<String> train = new ArrayList<>(List.of(Apps.java(), "-Dai.djl.offline=true"));
        train.addAll(PackagedServicesTest.TRAINER_THREADS);
        train.addAll(List.of("-cp", app.resolve("app") + "/*:" + app.resolve("lib/main") + "/*:" + app.resolve("lib/boot") + "/*",
                "io.crossmodal.trainer.cli.TrainerCli", "train", "--config", config.toString()));
        AppProcess trainer = apps.start("trainer-cli", train, PackagedServicesTest.TRAINER_ENV, work);
        assertEquals(0, trainer.awaitExit(Clients.JOB_LIMIT), "trainer CLI exit code");

        Path bundle = registry.resolve(model).resolve("1");
        String manifest = Files.readString(bundle.resolve("manifest.json"));
        assertTrue(manifest.contains("\"lexicon.dict\""), "the lexicon is a checksummed bundle file: " + manifest);
        Map<String, List<List<String>>> served = bundleLexicon(bundle.resolve("lexicon.dict"));
        // the inventory survives training and stress stripping: no symbol lost its digit, none became empty
        assertTrue(served.values().stream().flatMap(List::stream).flatMap(List::stream)
                .allMatch(s -> !s.isEmpty() && !s.equals("e") && !s.equals("ø") && !s.equals("ts") && !s.equals("u")), served::toString);
        assertEquals(List.of(List.of("ts2", "ø2", "k")), served.get("zök"), "override word added");
        assertEquals(List.of(List.of("m", "a", "s")), served.get("mas"), "override replaces the training entry");
        String known = served.keySet().stream().filter(w -> served.get(w).size() == 1 && !w.equals("mas") && !w.equals("zök")
                && !w.equals("maß")).findFirst().orElseThrow();
        String heteronym = served.keySet().stream().filter(w -> served.get(w).size() == 2).findFirst()
                .orElseThrow(() -> new AssertionError("no heteronym among the training entries"));
        String unknown = "bunda";
        assertFalse(served.containsKey(unknown));

        String broker = "127.0.0.1:" + Ports.closed();
        AppProcess decoderApp = apps.start("decoder", service("decoder", registry, model, broker), Map.of(), work);
        AppProcess encoderApp = apps.start("encoder", service("encoder", registry, model, broker), Map.of(), work);
        int decoderPort = decoderApp.awaitPort(Clients.START_LIMIT);
        int encoderPort = encoderApp.awaitPort(Clients.START_LIMIT);
        Clients.awaitReady(decoderApp, decoderPort);
        Clients.awaitReady(encoderApp, encoderPort);
        ManagedChannel dc = Clients.channel(decoderPort);
        ManagedChannel ec = Clients.channel(encoderPort);
        try {
            DecoderGrpc.DecoderBlockingStub decoder = DecoderGrpc.newBlockingStub(dc);
            // a known word: its lexicon entry, probability 1
            ScoredSequences k = decode(decoder, known, LexiconMode.LEXICON_MODE_UNSPECIFIED, 1);
            assertEquals(served.get(known), tokens(k));
            assertSource(k.getSequences(0), HypothesisSource.HYPOTHESIS_SOURCE_LEXICON, 1.0);
            // a heteronym: both pronunciations, 1/2 each, though n_best is 1
            ScoredSequences h = decode(decoder, heteronym, LexiconMode.LEXICON_MODE_UNSPECIFIED, 1);
            assertEquals(served.get(heteronym), tokens(h));
            h.getSequencesList().forEach(s -> assertSource(s, HypothesisSource.HYPOTHESIS_SOURCE_LEXICON, 0.5));
            // an unknown word: the model's n-best
            ScoredSequences u = decode(decoder, unknown, LexiconMode.LEXICON_MODE_UNSPECIFIED, 2);
            assertEquals(2, u.getSequencesCount(), u::toString);
            u.getSequencesList().forEach(s -> assertSource(s, HypothesisSource.HYPOTHESIS_SOURCE_MODEL, Math.exp(s.getLogProb())));
            // the override's entries: a corrected word, and a word with a letter outside the model's graphemes
            assertEquals(List.of(List.of("m", "a", "s")), tokens(decode(decoder, "mas", LexiconMode.LEXICON_MODE_UNSPECIFIED, 1)));
            ScoredSequences z = decode(decoder, "zök", LexiconMode.LEXICON_MODE_LEXICON, 1);
            assertEquals(List.of(List.of("ts2", "ø2", "k")), tokens(z));
            // forcing the model for a known word; asking the lexicon alone for an unknown one
            ScoredSequences forced = decode(decoder, known, LexiconMode.LEXICON_MODE_MODEL, 1);
            assertEquals(HypothesisSource.HYPOTHESIS_SOURCE_MODEL, forced.getSequences(0).getSource());
            StatusRuntimeException miss = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                    () -> decode(decoder, unknown, LexiconMode.LEXICON_MODE_LEXICON, 1));
            assertEquals(Status.Code.INVALID_ARGUMENT, miss.getStatus().getCode());
            assertTrue(miss.getStatus().getDescription().contains("not in the lexicon"), miss::toString);

            // the encoder the other way: homophones, "m aː s" is spelled "maß" and "maas" (the override moved "mas" to "m a s")
            EncoderGrpc.EncoderBlockingStub encoder = EncoderGrpc.newBlockingStub(ec);
            ScoredSequences spellings = encode(encoder, List.of("m", "aː", "s"));
            assertEquals(2, spellings.getSequencesCount(), spellings::toString);
            assertTrue(tokens(spellings).containsAll(List.of(graphemes("maß"), graphemes("maas"))), spellings::toString);
            spellings.getSequencesList().forEach(s -> assertSource(s, HypothesisSource.HYPOTHESIS_SOURCE_LEXICON, 0.5));
            ScoredSequences heard = encode(encoder, served.get(known).get(0));
            assertTrue(tokens(heard).contains(graphemes(known)), heard::toString);
            assertTrue(heard.getSequencesList().stream().allMatch(s -> s.getSource() == HypothesisSource.HYPOTHESIS_SOURCE_LEXICON));

            clientCommand(decoderPort, encoderPort, served, unknown);
        } finally {
            Clients.shutdown(dc);
            Clients.shutdown(ec);
        }
    }

    /** One printed hypothesis of the CLI client: its tokens as printed, probability and source. */
    private record Printed(String tokens, double probability, String source) {
    }

    /** A run of the packaged CLI's {@code client} command: exit code, printed hypotheses, and the whole output. */
    private record ClientRun(int exit, List<Printed> hypotheses, String output) {
    }

    private static final Pattern HYPOTHESIS = Pattern.compile(
            "^  (.+?)\\s+log p = \\S+  p = ([0-9.]+)  (\\w*)$", Pattern.MULTILINE);

    private int clientRuns;

    /**
     * {@code crossmodal-trainer client decode|encode ... [--lexicon MODE]} from the packaged layout against the running
     * services (README "Calling the services"); the hypotheses it prints, parsed back. Its output is UTF-8 whatever the
     * machine's locale (the phoneme symbols are not ASCII); its arguments are kept ASCII for the same reason.
     */
    private ClientRun client(String mode, int port, String input, String lexicon, int nBest) throws Exception {
        assertTrue(input.chars().allMatch(c -> c < 128), "an ASCII argument: " + input);
        Path app = Apps.quarkusApp("trainer");
        List<String> cmd = new ArrayList<>(List.of(Apps.java(), "-Dsun.stdout.encoding=UTF-8", "-Dsun.stderr.encoding=UTF-8",
                "-cp", app.resolve("app") + "/*:" + app.resolve("lib/main") + "/*:" + app.resolve("lib/boot") + "/*",
                "io.crossmodal.trainer.cli.TrainerCli", "client", mode, "--target", "127.0.0.1:" + port, "--model", "ipa-lexicon",
                "--input", input, "--nbest", Integer.toString(nBest)));
        if (lexicon != null) {
            cmd.addAll(List.of("--lexicon", lexicon));
        }
        AppProcess p = apps.start("client-" + (++clientRuns), cmd, Map.of(), apps.workDir());
        int exit = p.awaitExit(Clients.START_LIMIT);
        List<Printed> out = new ArrayList<>();
        Matcher m = HYPOTHESIS.matcher(p.output());
        while (m.find()) {
            out.add(new Printed(m.group(1).strip(), Double.parseDouble(m.group(2)), m.group(3)));
        }
        return new ClientRun(exit, out, p.output());
    }

    private static boolean ascii(String s) {
        return s.chars().allMatch(c -> c < 128);
    }

    /** The CLI client's {@code --lexicon} against the real services: a known word, a heteronym, an unknown word. */
    private void clientCommand(int decoderPort, int encoderPort, Map<String, List<List<String>>> served, String unknown)
            throws Exception {
        Set<String> override = Set.of("mas", "maß", "maas", "zök");
        String known = served.keySet().stream().filter(w -> served.get(w).size() == 1 && ascii(w) && !override.contains(w))
                .findFirst().orElseThrow();
        String heteronym = served.keySet().stream().filter(w -> served.get(w).size() == 2 && ascii(w)).findFirst()
                .orElseThrow(() -> new AssertionError("no heteronym with an ASCII spelling among " + served.keySet()));
        // a known word, the model's default mode (first): its lexicon entry, p = 1
        ClientRun k = client("decode", decoderPort, known, null, 1);
        assertEquals(0, k.exit(), k.output());
        assertEquals(List.of(new Printed(String.join(" ", served.get(known).get(0)), 1.0, "lexicon")), k.hypotheses(), k.output());
        // a heteronym, lexicon first: both pronunciations, p = 0.5 each, though --nbest is 1
        ClientRun h = client("decode", decoderPort, heteronym, "first", 1);
        assertEquals(0, h.exit(), h.output());
        assertEquals(served.get(heteronym).stream().map(pr -> new Printed(String.join(" ", pr), 0.5, "lexicon")).toList(),
                h.hypotheses(), h.output());
        // an unknown word: the model's n-best
        ClientRun u = client("decode", decoderPort, unknown, "first", 2);
        assertEquals(0, u.exit(), u.output());
        assertEquals(2, u.hypotheses().size(), u.output());
        assertTrue(u.hypotheses().stream().allMatch(x -> x.source().equals("model")), u.output());
        // the known word from the model only; the unknown word from the lexicon only is the service's clear error
        ClientRun forced = client("decode", decoderPort, known, "model", 1);
        assertEquals(0, forced.exit(), forced.output());
        assertEquals(1, forced.hypotheses().size(), forced.output());
        assertEquals("model", forced.hypotheses().get(0).source(), forced.output());
        ClientRun miss = client("decode", decoderPort, unknown, "lexicon", 1);
        assertEquals(1, miss.exit(), miss.output());
        assertTrue(miss.output().contains("INVALID_ARGUMENT") && miss.output().contains("not in the lexicon"), miss.output());
        // the encoder, lexicon only: every spelling of a pronunciation written in ASCII symbols
        Map.Entry<List<String>, Set<String>> sound = spellingsByPronunciation(served).entrySet().stream()
                .filter(e -> e.getKey().stream().allMatch(LexiconServingTest::ascii)).findFirst().orElseThrow();
        ClientRun spell = client("encode", encoderPort, String.join(" ", sound.getKey()), "lexicon", 1);
        assertEquals(0, spell.exit(), spell.output());
        double p = Math.round(1000.0 / sound.getValue().size()) / 1000.0; // printed with three decimals
        assertEquals(sound.getValue().stream().map(w -> new Printed(w, p, "lexicon")).collect(Collectors.toSet()),
                Set.copyOf(spell.hypotheses()), spell.output());
    }

    /** Pronunciation -> its spellings in {@code served} (the encoder's lexicon direction). */
    private static Map<List<String>, Set<String>> spellingsByPronunciation(Map<String, List<List<String>>> served) {
        Map<List<String>, Set<String>> out = new LinkedHashMap<>();
        served.forEach((w, prons) -> prons.forEach(pr -> out.computeIfAbsent(pr, x -> new LinkedHashSet<>()).add(w)));
        return out;
    }

    private static void assertSource(ScoredSequence s, HypothesisSource source, double probability) {
        assertEquals(source, s.getSource(), s::toString);
        assertEquals(probability, s.getProbability(), 1e-9, s::toString);
    }

    private static ScoredSequences decode(DecoderGrpc.DecoderBlockingStub decoder, String word, LexiconMode mode, int nBest) {
        return decoder.withDeadlineAfter(30, TimeUnit.SECONDS).decode(DecodeRequest.newBuilder()
                .setModel(ModelRef.newBuilder().setName("ipa-lexicon")).setLexicon(mode).setNBest(nBest)
                .setTokens(TokenSequence.newBuilder().addAllTokens(graphemes(word))).build()).getSequences();
    }

    private static ScoredSequences encode(EncoderGrpc.EncoderBlockingStub encoder, List<String> phonemes) {
        return encoder.withDeadlineAfter(30, TimeUnit.SECONDS).encode(EncodeRequest.newBuilder()
                .setModel(ModelRef.newBuilder().setName("ipa-lexicon"))
                .setTokens(TokenSequence.newBuilder().addAllTokens(phonemes)).build()).getHypotheses();
    }

    private static List<String> service(String service, Path registry, String model, String broker) {
        List<String> cmd = new ArrayList<>(List.of(Apps.java(), "-Dquarkus.profile=local"));
        cmd.addAll(PackagedServicesTest.commonProperties(broker));
        cmd.addAll(List.of("-Dcrossmodal.registry.dir=" + registry, "-Dcrossmodal.models=" + model,
                "-jar", Apps.quarkusApp(service).resolve("quarkus-run.jar").toString()));
        return cmd;
    }
}
