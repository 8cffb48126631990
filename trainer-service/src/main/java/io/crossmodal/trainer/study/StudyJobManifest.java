package io.crossmodal.trainer.study;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Renders a study's grid as a Kubernetes Indexed Job (docs/study/KUBERNETES.md): completions = the plan's runs,
 * the pod with completion index i runs the plan's run i ({@code study --indexed-job}), every pod mounts one shared
 * ReadWriteMany volume at {@value #MOUNT} where the runs, the study's registry and the CMUdict cache live, and a
 * second, suspended Job gathers the results with {@code study --report-only} once the grid is done. Writes into a
 * directory: {@code study-job.yaml} (the two Jobs) and {@code study.json} (the study config with its output on the
 * volume); {@code k8s/overlays/study/kustomization.yaml} deploys them. The YAML is written as text, in a fixed
 * layout, so a re-render of an unchanged study is byte-identical (the test compares the committed copy).
 */
public final class StudyJobManifest {

    /** Where the shared volume is mounted in every pod. */
    public static final String MOUNT = "/study";
    /** The variable Kubernetes sets in the pods of an Indexed Job. */
    public static final String COMPLETION_INDEX = "JOB_COMPLETION_INDEX";
    public static final String JOB_FILE = "study-job.yaml";
    public static final String CONFIG_FILE = "study.json";
    /** At most this many pods at once unless --parallelism says otherwise. */
    static final int DEFAULT_PARALLELISM = 4;

    private StudyJobManifest() {
    }

    /** The completion index of this pod of an Indexed Job; IllegalArgumentException outside one. */
    public static int completionIndex() {
        String v = System.getenv(COMPLETION_INDEX);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("--indexed-job: " + COMPLETION_INDEX + " is not set (not a pod of an Indexed Job;"
                    + " use --index N)");
        }
        return Integer.parseInt(v.strip());
    }

    /** Reads {@code studyFile}, writes {@link #JOB_FILE} and {@link #CONFIG_FILE} into {@code dir}. */
    public static void write(Path studyFile, int parallelism, Path dir) throws IOException {
        ObjectNode json = (ObjectNode) StudyConfig.JSON.readTree(studyFile.toFile());
        StudyConfig original = StudyConfig.read(studyFile);
        // the study's output on the shared volume: every pod writes its run there, the report reads them all
        String out = MOUNT + "/" + original.name();
        json.put("outDir", out);
        json.put("resultsDir", out + "/results");
        StudyConfig cluster = StudyConfig.JSON.treeToValue(json, StudyConfig.class);
        int runs = cluster.plan().size();
        int pods = parallelism > 0 ? Math.min(parallelism, runs) : Math.min(DEFAULT_PARALLELISM, runs);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(CONFIG_FILE),
                StudyConfig.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(JOB_FILE), yaml(cluster.name(), runs, pods), StandardCharsets.UTF_8);
    }

    /** The two Jobs: the grid (Indexed, {@code runs} completions, {@code pods} at once) and the report. */
    static String yaml(String study, int runs, int pods) {
        return String.format(Locale.ROOT, """
                # Study %1$s as a Kubernetes Indexed Job: rendered by
                #   scripts/crossmodal study --config <study.json> --k8s-job k8s/overlays/study --parallelism %3$d
                # (docs/study/KUBERNETES.md). Pod i runs the plan's run i (%2$d runs); a run already finished on the
                # shared volume is skipped, so a retried or re-created Job resumes. Both Jobs are created suspended.
                apiVersion: batch/v1
                kind: Job
                metadata:
                  name: crossmodal-study
                  labels:
                    app.kubernetes.io/name: trainer-service
                    app.kubernetes.io/component: study
                spec:
                  suspend: true
                  completionMode: Indexed
                  completions: %2$d
                  parallelism: %3$d
                  backoffLimitPerIndex: 1
                  maxFailedIndexes: %2$d
                  activeDeadlineSeconds: 604800
                  ttlSecondsAfterFinished: 604800
                  template:
                    metadata:
                      labels:
                        app.kubernetes.io/name: trainer-service
                        app.kubernetes.io/component: study
                    spec:
                %4$s
                          args: ["study", "--config", "/etc/crossmodal/study/study.json", "--indexed-job"]
                %5$s
                ---
                # The results of every finished run (tables, plots, each size's best bundle): unsuspend after the study Job
                # completes; then copy %6$s/%1$s/results out of the volume (kubectl cp from any pod that mounts it).
                apiVersion: batch/v1
                kind: Job
                metadata:
                  name: crossmodal-study-report
                  labels:
                    app.kubernetes.io/name: trainer-service
                    app.kubernetes.io/component: study
                spec:
                  suspend: true
                  backoffLimit: 1
                  ttlSecondsAfterFinished: 604800
                  template:
                    metadata:
                      labels:
                        app.kubernetes.io/name: trainer-service
                        app.kubernetes.io/component: study
                    spec:
                %4$s
                          args: ["study", "--config", "/etc/crossmodal/study/study.json", "--report-only"]
                %5$s
                """, study, runs, pods, POD_HEAD, POD_TAIL, MOUNT);
    }

    /** The pod spec up to the container's args (shared by both Jobs). */
    private static final String POD_HEAD = """
                  restartPolicy: Never
                  serviceAccountName: trainer
                  automountServiceAccountToken: false
                  enableServiceLinks: false
                  securityContext:
                    runAsNonRoot: true
                    runAsUser: 185
                    runAsGroup: 185
                    fsGroup: 185
                    fsGroupChangePolicy: OnRootMismatch
                    seccompProfile:
                      type: RuntimeDefault
                  containers:
                    - name: study
                      image: crossmodal/trainer-service
                      imagePullPolicy: IfNotPresent
                      command: ["java", "-Dai.djl.offline=true", "-cp", "/home/jboss/app/*:/home/jboss/lib/main/*:/home/jboss/lib/boot/*",
                                "io.crossmodal.trainer.cli.TrainerCli"]""".indent(6).stripTrailing();

    /** The pod spec after the container's args. */
    private static final String POD_TAIL = """
                      env:
                        # one CMUdict download for all pods (written atomically, checksum-verified)
                        - name: CROSSMODAL_CACHE
                          value: /study/cache
                        - name: JAVA_TOOL_OPTIONS
                          value: -XX:MaxRAMPercentage=25
                        - name: DJL_CACHE_DIR
                          value: /tmp/djl
                        - name: ENGINE_CACHE_DIR
                          value: /tmp/djl
                        - name: OMP_WAIT_POLICY
                          value: PASSIVE
                      resources:
                        requests:
                          cpu: "2"
                          memory: 5Gi
                        limits:
                          cpu: "2"
                          memory: 5Gi
                      securityContext:
                        allowPrivilegeEscalation: false
                        readOnlyRootFilesystem: true
                        capabilities:
                          drop: ["ALL"]
                      volumeMounts:
                        - name: study
                          mountPath: /study
                        - name: study-config
                          mountPath: /etc/crossmodal/study
                          readOnly: true
                        - name: tmp
                          mountPath: /tmp
                  volumes:
                    - name: study
                      persistentVolumeClaim:
                        claimName: study-runs
                    - name: study-config
                      configMap:
                        name: study-config
                    - name: tmp
                      emptyDir:
                        sizeLimit: 4Gi""".indent(6).stripTrailing();
}
