package io.crossmodal.trainer.cli;

import io.crossmodal.trainer.study.StudyConfig;
import io.crossmodal.trainer.study.StudyJobManifest;
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

    @Option(names = "--index", paramLabel = "N", description = "Run only the plan's run N (0-based).")
    Integer index;

    @Option(names = "--indexed-job", description = "Run only the run of this pod's completion index "
            + "(JOB_COMPLETION_INDEX of a Kubernetes Indexed Job).")
    boolean indexedJob;

    @Option(names = "--k8s-job", paramLabel = "DIR", description = "Render the grid as a Kubernetes Indexed Job "
            + "(one run per index, shared volume; gather with --report-only) into DIR; docs/study/KUBERNETES.md.")
    Path k8sJob;

    @Option(names = "--parallelism", paramLabel = "N", description = "Pods at once for --k8s-job (default: the config's).")
    Integer parallelism;

    @Override
    public Integer call() throws Exception {
        StudyConfig study = StudyConfig.read(config);
        StudyRunner runner = new StudyRunner(study, System.out, "scripts/crossmodal study --config " + config);
        if (reportOnly) {
            runner.report(runner.collect(study.plan()));
        } else if (k8sJob != null) {
            StudyJobManifest.write(config, parallelism == null ? 0 : parallelism, k8sJob);
        } else if (index != null || indexedJob) {
            runner.runIndex(index != null ? index : StudyJobManifest.completionIndex());
        } else {
            runner.run(only, dryRun);
        }
        return 0;
    }
}
