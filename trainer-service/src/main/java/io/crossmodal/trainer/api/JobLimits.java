package io.crossmodal.trainer.api;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * {@code crossmodal.trainer.limits.*}: the largest value the Trainer API accepts for each numeric job field,
 * and the memory budget a job's estimate ({@link JobMemoryEstimate}) must fit. Checked at submission, so an
 * absurd request is refused with INVALID_ARGUMENT naming the field before it can take memory or time.
 * The defaults admit every configuration in {@code configs/} with room to spare.
 */
@ConfigMapping(prefix = "crossmodal.trainer.limits")
public interface JobLimits {

    /** Largest embedding size (hyperparameters.embedding_size and prior_embedding_size). */
    @WithDefault("1024")
    int embeddingSize();

    /** Largest LSTM hidden size (encoder, decoder, prior). */
    @WithDefault("2048")
    int hiddenSize();

    /** Longest output sequence the decoders generate (hyperparameters.max_output_length). */
    @WithDefault("200")
    int maxOutputLength();

    @WithDefault("4096")
    int batchSize();

    @WithDefault("1000")
    int epochs();

    /** Largest hyperparameters.max_steps. */
    @WithDefault("10000000")
    long maxSteps();

    @WithDefault("1000")
    int patience();

    /** Largest number of training threads of one job. */
    @WithDefault("16")
    int threads();

    /** Largest number of dev words decoded after each epoch. */
    @WithDefault("100000")
    int devWords();

    /** Largest beam width of the test evaluation. */
    @WithDefault("64")
    int beamWidth();

    /** Largest split size (paired, unpaired, dev, test) and data.max_words, in words. */
    @WithDefault("10000000")
    int words();

    /** Largest lexicon file a job may read (lexicon_path), in bytes. */
    @WithDefault("67108864")
    long lexiconMaxBytes();

    /**
     * The memory a job may need by {@link JobMemoryEstimate}, in MiB; a job estimated above it is refused. Keep it
     * below the memory of the trainer's container minus the service's own heap.
     */
    @WithDefault("4096")
    long memoryBudgetMib();
}
