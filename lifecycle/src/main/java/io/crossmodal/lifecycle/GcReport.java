package io.crossmodal.lifecycle;

import java.util.List;
import java.util.Map;

/**
 * What {@code gc} kept (with the reasons) and deleted, or would delete in a dry run.
 *
 * @param model   model name
 * @param kept    kept versions and why: {@code latest}, {@code alias:<name>}, {@code rollback-target}
 * @param deleted versions deleted (or, in a dry run, that would be deleted)
 * @param leftovers invisible directories of crashed writers removed (or to remove): stale {@code .staging-*}, {@code .gc-*}
 * @param dryRun  true if nothing was deleted
 */
public record GcReport(String model, Map<Integer, List<String>> kept, List<Integer> deleted, List<String> leftovers,
        boolean dryRun) {}
