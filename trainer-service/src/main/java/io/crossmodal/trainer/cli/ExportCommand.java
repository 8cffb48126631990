package io.crossmodal.trainer.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code export --config job.json}: evaluate and export a run directory that was trained already. */
@Command(name = "export", description = "Evaluate and export an already trained run directory.")
final class ExportCommand implements Callable<Integer> {
    @Mixin
    HelpOption help;

    @Option(names = "--config", required = true, paramLabel = "JOB.json", description = "The job config of the trained run.")
    Path config;

    @Override
    public Integer call() throws Exception {
        return TrainCommand.run(config, true);
    }
}
