package io.crossmodal.trainer.family.vqvae;

import java.nio.file.Path;

/** {@code vqvae-study}: placeholder until the study lands. */
final class VqvaeStudyCommand {

    private VqvaeStudyCommand() {
    }

    static int run(Path config, String[] args) {
        throw new IllegalArgumentException("vqvae-study is not implemented yet");
    }
}
