package io.crossmodal.trainer.family.vqvae;

import io.crossmodal.trainer.family.vqvae.study.VqvaeStudy;
import io.crossmodal.trainer.family.vqvae.study.VqvaeStudyConfig;
import java.nio.file.Path;

/**
 * {@code vqvae-study --config FILE [--speech-dir DIR] [--report-only]}: the study of {@link VqvaeStudy};
 * {@code --report-only} trains nothing and reports the runs that have finished (with the figures).
 */
final class VqvaeStudyCommand {

    private VqvaeStudyCommand() {
    }

    static int run(Path config, String[] args) throws Exception {
        VqvaeStudyConfig study = VqvaeStudyConfig.read(config);
        Path jobFile = config.toAbsolutePath().getParent().resolve(study.job());
        VqvaeConfig base = VqvaeCommands.speechDir(VqvaeConfig.read(jobFile), args);
        VqvaeCommands.threads(base.threads());
        boolean reportOnly = java.util.Arrays.asList(args).contains("--report-only");
        new VqvaeStudy(study, base, "scripts/crossmodal vqvae-study " + String.join(" ", args).replace(" --report-only", ""),
                System.out, reportOnly).run();
        return 0;
    }
}
