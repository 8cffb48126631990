package io.crossmodal.trainer.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.crossmodal.trainer.config.JobConfig;
import io.crossmodal.trainer.progress.ProgressEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tiny semi-supervised run end to end: warm-up, wake-sleep epochs, ELBO, test evaluation, bundle. */
public class NoisyChannelJobTest {

    /** A made-up lexicon with a regular spelling -> sound mapping (as in the gRPC API test), n distinct words. */
    public static Path lexicon(Path dir, int n) throws IOException {
        String[] letters = {"b", "d", "k", "m", "s", "t", "a", "e", "o"};
        String[] sounds = {"B", "D", "K", "M", "S", "T", "AE1", "EH1", "OW1"};
        Random rnd = new Random(3);
        List<String> lines = new ArrayList<>(List.of(";;; synthetic lexicon for the noisy-channel test"));
        Set<String> seen = new HashSet<>();
        while (seen.size() < n) {
            int len = 2 + rnd.nextInt(4);
            StringBuilder w = new StringBuilder();
            List<String> p = new ArrayList<>();
            for (int i = 0; i < len; i++) {
                int k = rnd.nextInt(letters.length);
                w.append(letters[k]);
                p.add(sounds[k]);
            }
            if (seen.add(w.toString())) {
                lines.add(w.toString().toUpperCase(Locale.ROOT) + "  " + String.join(" ", p));
            }
        }
        Path f = dir.resolve("lexicon.txt");
        Files.write(f, lines);
        return f;
    }

    @Test
    void tinySemiSupervisedRunReportsTermsAndElboAndExports(@TempDir Path dir) throws Exception {
        Path lex = lexicon(dir, 500);
        String json = """
                {"name": "nc-tiny", "data": {"source": "%s"},
                 "split": {"paired": 20, "unpairedGraphemes": 200, "unpairedPhonemes": 200, "dev": 30, "test": 30},
                 "model": {"embed": 8, "encHidden": 12, "decHidden": 16, "priorEmbed": 8, "priorHidden": 16,
                           "maxOutputLength": 12},
                 "train": {"batchSize": 16, "learningRate": 0.01, "devWords": 30, "beamWidth": 2},
                 "semi": {"enabled": true, "warmupEpochs": 2, "epochs": 2, "batchSize": 32, "samples": 2,
                          "importanceWeighting": true, "elboWords": 30},
                 "seed": 3, "runDir": "%s", "registryDir": "%s"}
                """.formatted(lex, dir.resolve("run"), dir.resolve("registry"));
        JobConfig cfg = JobConfig.parse(json);
        List<ProgressEvent> events = new ArrayList<>();
        TrainingRun.Outcome out = TrainingRun.run(cfg, events::add, () -> false);

        // supervised warm-up of all three components first
        for (String c : List.of("g2p", "p2g", "prior")) {
            assertEquals(2, events.stream().filter(e -> e.component().equals(c) && e.phase().equals("eval")).count(), c);
        }
        // then every step reports each term's loss, every epoch the dev metrics and the ELBO
        List<ProgressEvent> train = events.stream().filter(e -> e.component().equals("semi") && e.phase().equals("train")).toList();
        assertEquals(2 * 7, train.size(), "2 epochs x ceil(200 / 32) steps");
        assertTrue(train.get(train.size() - 1).losses().keySet().containsAll(
                List.of("supervised", "supervised.g2p", "supervised.p2g", "supervised.prior", "prior", "wake", "sleep")),
                train.get(train.size() - 1).losses().toString());
        train.forEach(e -> e.losses().values().forEach(v -> assertTrue(Double.isFinite(v) && v > 0, e.toString())));
        List<ProgressEvent> evals = events.stream().filter(e -> e.component().equals("semi") && e.phase().equals("eval")).toList();
        assertEquals(3, evals.size(), "after warm-up + 2 epochs");
        for (ProgressEvent e : evals) {
            var d = e.devMetrics();
            assertTrue(d.keySet().containsAll(List.of("g2p.per", "p2g.per", "prior.nll", "elbo", "iw_elbo")), d.toString());
            assertTrue(Double.isFinite(d.get("elbo")) && d.get("iw_elbo") >= d.get("elbo"), d.toString());
            System.out.printf(Locale.ROOT, "semi epoch %d: losses %s dev %s%n", e.epoch(), e.losses(), d);
        }

        // trained models were evaluated and exported as usual
        assertNotNull(out.bundle());
        assertTrue(out.metrics().containsKey("g2p.test.per") && out.metrics().containsKey("p2g.test.per"));
        assertTrue(out.metrics().containsKey("semi.dev.elbo"));
        assertEquals(4L + 14L, out.metrics().get("g2p.train.steps"), "2 warm-up epochs x 2 steps + 14 semi steps");
        System.out.println("metrics " + out.metrics());

        JsonNode history = new ObjectMapper().readTree(out.runDir().resolve("semi-history.json").toFile());
        assertEquals(3, history.size());
        assertEquals(2, history.get(2).get("epoch").asInt());
        assertTrue(history.get(2).get("pseudoPairs").get("wake").asInt() > 0);
        assertTrue(Files.exists(out.runDir().resolve("learning_curves.png")));
    }

    /**
     * The options that make the generative model count are wired end to end: the reweighted
     * wake-sleep update of q reports its loss, sleep draws its spellings from the prior, the semi
     * phase starts at the warm-up's learning rates, and test evaluation adds the noisy-channel
     * reranked n-best with a λ chosen on dev.
     */
    @Test
    void noisyChannelOptionsAreWired(@TempDir Path dir) throws Exception {
        Path lex = lexicon(dir, 400);
        String json = """
                {"name": "nc-options", "data": {"source": "%s"},
                 "split": {"paired": 20, "unpairedGraphemes": 100, "unpairedPhonemes": 100, "dev": 30, "test": 30},
                 "model": {"embed": 8, "encHidden": 12, "decHidden": 16, "priorEmbed": 8, "priorHidden": 16,
                           "maxOutputLength": 12, "attention": "location"},
                 "train": {"batchSize": 16, "learningRate": 0.01, "devWords": 30, "beamWidth": 2, "patience": 1},
                 "semi": {"enabled": true, "warmupEpochs": 3, "epochs": 1, "stepsPerEpoch": 3, "batchSize": 16,
                          "samples": 2, "importanceWeighting": true, "sleepSource": "prior", "continueOptimizer": true,
                          "weights": {"wakePosterior": 1}, "elboWords": 10,
                          "rerank": {"nBest": 3, "lambdas": [0, 0.5, 1]}},
                 "seed": 5, "runDir": "%s", "registryDir": "%s", "export": false}
                """.formatted(lex, dir.resolve("run"), dir.resolve("registry"));
        List<ProgressEvent> events = new ArrayList<>();
        TrainingRun.Outcome out = TrainingRun.run(JobConfig.parse(json), events::add, () -> false);
        ProgressEvent last = events.stream().filter(e -> e.component().equals("semi") && e.phase().equals("train"))
                .reduce((a, b) -> b).orElseThrow();
        assertTrue(last.losses().containsKey("wake_posterior") && last.losses().get("wake_posterior") > 0,
                last.losses().toString());
        JsonNode history = new ObjectMapper().readTree(out.runDir().resolve("semi-history.json").toFile());
        assertTrue(history.get(1).get("pseudoPairs").get("sleep").asInt() > 0, "sleep on spellings sampled from p(y)");
        assertTrue(history.get(1).get("pseudoPairs").get("wake_posterior").asInt() > 0);
        // continued optimizer: each component starts the semi phase at its warm-up's (possibly decayed) rate
        for (String c : List.of("g2p", "p2g", "prior")) {
            double warmLr = new ObjectMapper().readTree(out.runDir().resolve("checkpoints").resolve(c).resolve("state.json")
                    .toFile()).get("learningRate").asDouble();
            assertEquals(warmLr, history.get(0).get("learningRates").get(c).asDouble(), 1e-9, c);
        }
        for (String c : List.of("g2p", "p2g")) {
            double per = ((Number) out.metrics().get(c + ".test.rerank.per")).doubleValue();
            assertTrue(per >= 0 && per <= 2, c + " reranked PER " + per);
            assertTrue(List.of(0.0, 0.5, 1.0).contains(((Number) out.metrics().get(c + ".rerank.lambda")).doubleValue()));
            JsonNode rr = new ObjectMapper().readTree(out.runDir().resolve("rerank-" + c + ".json").toFile());
            assertEquals(3, rr.get("devPer").size(), "dev PER for every lambda");
            assertTrue(Files.exists(out.runDir().resolve("scores-" + c + ".json")));
        }
        assertTrue(out.metrics().containsKey("semi.nonfinite_skips"));
        assertTrue(out.metrics().containsKey("machine.cpu"));
        assertTrue(Files.exists(out.runDir().resolve("metrics.json")));
    }
}
