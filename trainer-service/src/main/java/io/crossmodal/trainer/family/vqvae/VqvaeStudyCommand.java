package io.crossmodal.trainer.family.vqvae;

import io.crossmodal.trainer.family.vqvae.study.VqvaeStudy;
import io.crossmodal.trainer.family.vqvae.study.VqvaeStudyConfig;
import java.nio.file.Path;

/** {@code vqvae-study --config FILE [--speech-dir DIR]}: the study of {@link VqvaeStudy}. */
final class VqvaeStudyCommand {

    private VqvaeStudyCommand() {
    }

    static int run(Path config, String[] args) throws Exception {
        VqvaeStudyConfig study = VqvaeStudyConfig.read(config);
        Path jobFile = config.toAbsolutePath().getParent().resolve(study.job());
        VqvaeConfig base = VqvaeCommands.speechDir(VqvaeConfig.read(jobFile), args);
        VqvaeCommands.threads(base.threads());
        new VqvaeStudy(study, base, "scripts/crossmodal vqvae-study " + String.join(" ", args), System.out).run();
        return 0;
    }
}
