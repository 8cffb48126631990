package io.crossmodal.trainer.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.crossmodal.core.split.SplitConfig;
import io.crossmodal.trainer.train.TrainSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A declarative training job: model family, data, split, sizes, optimisation, seed, outputs.
 * Every field has a default so a config names only what it changes; unknown fields are an error
 * (a typo must not silently train the wrong model).
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record JobConfig(
        String name,
        String family,
        Data data,
        Split split,
        Model model,
        Train train,
        List<String> components,
        Long seed,
        Boolean export,
        String runDir,
        String registryDir) {

    public static final Set<String> FAMILIES = Set.of("seq2seq");
    public static final Set<String> COMPONENTS = Set.of("g2p", "p2g", "prior");
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT);

    /** Where the lexicon comes from: {@code cmudict} (pinned npm download) or a file path. */
    public record Data(String source, Boolean stripStress, Integer maxWords) {
        public Data {
            source = source == null ? "cmudict" : source;
            stripStress = stripStress == null ? Boolean.TRUE : stripStress;
            maxWords = maxWords == null ? 0 : maxWords;
            if (maxWords < 0) {
                throw new IllegalArgumentException("data.maxWords must be >= 0 (0 = all), got " + maxWords);
            }
        }
    }

    /** Split sizes in words; -1 = all remaining (at most one). */
    public record Split(Integer paired, Integer unpairedGraphemes, Integer unpairedPhonemes, Integer dev, Integer test) {
        public Split {
            paired = paired == null ? -1 : paired;
            unpairedGraphemes = unpairedGraphemes == null ? 0 : unpairedGraphemes;
            unpairedPhonemes = unpairedPhonemes == null ? 0 : unpairedPhonemes;
            dev = dev == null ? 1000 : dev;
            test = test == null ? 5000 : test;
        }
    }

    public record Model(Integer embed, Integer encHidden, Integer decHidden, Integer priorEmbed, Integer priorHidden,
            Integer maxOutputLength) {
        public Model {
            embed = positive("model.embed", embed, 64);
            encHidden = positive("model.encHidden", encHidden, 128);
            decHidden = positive("model.decHidden", decHidden, 256);
            priorEmbed = positive("model.priorEmbed", priorEmbed, 32);
            priorHidden = positive("model.priorHidden", priorHidden, 256);
            maxOutputLength = positive("model.maxOutputLength", maxOutputLength, 40);
        }
    }

    public record Train(Integer batchSize, Float learningRate, Integer epochs, Long maxSteps, Integer patience,
            Float clipNorm, Float lrDecay, Integer threads, Integer devWords, Integer beamWidth) {
        public Train {
            batchSize = batchSize == null ? 64 : batchSize;
            learningRate = learningRate == null ? 0.002f : learningRate;
            epochs = epochs == null ? 20 : epochs;
            maxSteps = maxSteps == null ? 0L : maxSteps;
            patience = patience == null ? 3 : patience;
            clipNorm = clipNorm == null ? 5f : clipNorm;
            lrDecay = lrDecay == null ? 0.5f : lrDecay;
            threads = positive("train.threads", threads, 2);
            devWords = positive("train.devWords", devWords, 1000);
            beamWidth = positive("train.beamWidth", beamWidth, 5);
        }

        public TrainSettings settings(long seed) {
            return new TrainSettings(batchSize, learningRate, epochs, maxSteps, patience, clipNorm, lrDecay, seed);
        }
    }

    public JobConfig {
        name = name == null ? "g2p-cmudict" : name;
        if (!name.matches("[a-z0-9][a-z0-9._-]{0,63}")) {
            throw new IllegalArgumentException("name must match [a-z0-9][a-z0-9._-]{0,63}, got '" + name + "'");
        }
        family = family == null ? "seq2seq" : family;
        if (!FAMILIES.contains(family)) {
            throw new IllegalArgumentException("unknown model family '" + family + "', known: " + FAMILIES);
        }
        data = data == null ? new Data(null, null, null) : data;
        split = split == null ? new Split(null, null, null, null, null) : split;
        model = model == null ? new Model(null, null, null, null, null, null) : model;
        train = train == null ? new Train(null, null, null, null, null, null, null, null, null, null) : train;
        components = components == null ? List.of("g2p", "p2g", "prior") : List.copyOf(components);
        for (String c : components) {
            if (!COMPONENTS.contains(c)) {
                throw new IllegalArgumentException("unknown component '" + c + "', known: " + COMPONENTS);
            }
        }
        if (components.isEmpty()) {
            throw new IllegalArgumentException("components must name at least one of " + COMPONENTS);
        }
        seed = seed == null ? 1L : seed;
        export = export == null ? Boolean.TRUE : export;
        runDir = runDir == null ? "runs/" + name : runDir;
        registryDir = registryDir == null ? defaultRegistry() : registryDir;
        train.settings(seed); // validates the optimisation settings now, not after loading data
        splitConfig(seed, split, data);
    }

    public SplitConfig splitConfig() {
        return splitConfig(seed, split, data);
    }

    private static SplitConfig splitConfig(long seed, Split s, Data d) {
        return new SplitConfig(seed, s.paired(), s.unpairedGraphemes(), s.unpairedPhonemes(), s.dev(), s.test(),
                d.stripStress());
    }

    public static String defaultRegistry() {
        String env = System.getenv("CROSSMODAL_REGISTRY_DIR");
        return env != null && !env.isBlank() ? env : Path.of(System.getProperty("user.home"), ".cache", "crossmodal", "registry").toString();
    }

    public static JobConfig read(Path file) throws IOException {
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new IllegalArgumentException("config file not found: " + file);
        }
        try {
            return JSON.readValue(file.toFile(), JobConfig.class);
        } catch (com.fasterxml.jackson.databind.exc.ValueInstantiationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalArgumentException("invalid config " + file + ": " + cause.getMessage(), e);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalArgumentException("invalid config " + file + ": " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : ""), e);
        }
    }

    public static JobConfig parse(String json) {
        try {
            return JSON.readValue(json, JobConfig.class);
        } catch (com.fasterxml.jackson.databind.exc.ValueInstantiationException e) {
            throw new IllegalArgumentException("invalid config: " + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("invalid config: " + e.getMessage(), e);
        }
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> toMap() {
        return JSON.convertValue(this, Map.class);
    }

    private static int positive(String what, Integer v, int dflt) {
        int x = v == null ? dflt : v;
        if (x < 1) {
            throw new IllegalArgumentException(what + " must be >= 1, got " + x);
        }
        return x;
    }
}
