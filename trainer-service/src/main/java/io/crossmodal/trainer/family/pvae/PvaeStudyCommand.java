package io.crossmodal.trainer.family.pvae;

import io.crossmodal.trainer.cli.HelpOption;
import io.crossmodal.trainer.family.pvae.study.PvaeStudy;
import io.crossmodal.trainer.family.pvae.study.PvaeStudyConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code pvae-study --config FILE [--speech-dir DIR]}: the PVAE study (PVAE and baselines, seeds, little paired data). */
@Command(name = "pvae-study", description = "Run the partitioned-VAE study (PVAE and baselines, seeds, little paired data).")
public final class PvaeStudyCommand implements Callable<Integer> {
    @Mixin
    HelpOption help;

    @Mixin
    PvaeOptions options;

    @Override
    public Integer call() throws Exception {
        Path config = options.configFile();
        PvaeStudyConfig study = PvaeStudyConfig.read(config);
        PvaeConfig base = options.job(config.toAbsolutePath().getParent().resolve(study.job()));
        new PvaeStudy(study, base, "scripts/crossmodal pvae-study " + options.commandLine(), System.out).run();
        return 0;
    }
}
