package io.crossmodal.trainer.cli;

import io.crossmodal.trainer.study.StudyConfig;
import io.crossmodal.trainer.study.StudyRunner;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code study}: the paired-size x system x seed study (resumable), its results, plots and aliases. */
@Command(name = "study", description = "Run the paired-size x system x seed study (resumable), write "
        + "results.md/json and plots, alias each size's best bundle.")
final class StudyCommand implements Callable<Integer> {
    @Mixin
    HelpOption help;

    @Option(names = "--config", required = true, paramLabel = "STUDY.json", description = "The study config.")
    Path config;

    @Option(names = "--only", paramLabel = "REGEX", description = "Run only the runs whose id matches.")
    String only;

    @Option(names = "--dry-run", description = "List the runs without running them.")
    boolean dryRun;

    @Option(names = "--report-only", description = "Write the report from the runs already finished.")
    boolean reportOnly;

    @Override
    public Integer call() throws Exception {
        StudyConfig study = StudyConfig.read(config);
        StudyRunner runner = new StudyRunner(study, System.out, "scripts/crossmodal study --config " + config);
        if (reportOnly) {
            runner.report(runner.collect(study.plan()));
        } else {
            runner.run(only, dryRun);
        }
        return 0;
    }
}
