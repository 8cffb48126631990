package io.crossmodal.trainer.family.vqvae;

import io.crossmodal.trainer.cli.HelpOption;
import io.crossmodal.trainer.family.vqvae.study.VqvaeStudy;
import io.crossmodal.trainer.family.vqvae.study.VqvaeStudyConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code vqvae-study --config FILE [--speech-dir DIR] [--report-only]}: the study of {@link VqvaeStudy};
 * {@code --report-only} trains nothing and reports the runs that have finished (with the figures).
 */
@Command(name = "vqvae-study", description = "Run the VQ-VAE study (bottleneck x jitter x seed; resumable): probes, "
        + "reconstruction, codebook use, bit rate; results.md/json and figures.")
public final class VqvaeStudyCommand implements Callable<Integer> {
    @Mixin
    HelpOption help;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The study config.")
    Path config;

    @Option(names = "--speech-dir", paramLabel = "DIR", description = "Spoken digits in the FSDD layout (overrides the job's).")
    Path speechDir;

    @Option(names = "--report-only", description = "Train nothing; report the runs that have finished.")
    boolean reportOnly;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(config)) {
            throw new IllegalArgumentException("no such config file: " + config);
        }
        VqvaeStudyConfig study = VqvaeStudyConfig.read(config);
        Path jobFile = config.toAbsolutePath().getParent().resolve(study.job());
        VqvaeConfig base = VqvaeTrainCommand.job(jobFile, speechDir);
        String command = "scripts/crossmodal vqvae-study --config " + config
                + (speechDir == null ? "" : " --speech-dir " + speechDir);
        new VqvaeStudy(study, base, command, System.out, reportOnly).run();
        return 0;
    }
}
