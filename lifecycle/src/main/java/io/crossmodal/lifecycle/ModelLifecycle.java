package io.crossmodal.lifecycle;

import io.crossmodal.runtime.io.Json;
import io.crossmodal.runtime.io.AtomicFiles;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.BundleCorruptException;
import io.crossmodal.runtime.bundle.BundleWriter;
import io.crossmodal.runtime.bundle.FileContent;
import io.crossmodal.runtime.bundle.Manifest;
import io.crossmodal.runtime.bundle.ModelNotFoundException;
import io.crossmodal.runtime.bundle.ModelRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The write side of the model lifecycle over a registry directory: registration with lineage,
 * promotion and rollback of the {@code production} alias with decision records and alias history,
 * garbage collection, and the {@link EventLog} entry for every change.
 *
 * <p>Every alias change follows one order, under a per-model lock (a JVM lock plus an OS file lock
 * on {@code <model>/.lifecycle.lock}, so CLI, Trainer API and CI processes serialise):
 * decision record, then the alias-history entry (the intent, carrying the id of the event to come),
 * then the atomic alias move, then the event. A crash anywhere leaves either the old state or an
 * intent whose event is missing; the next lifecycle operation on the model finds it and completes it
 * ({@link #recover}), so the alias, its history and the event log always end up consistent and no
 * event is lost. Registration writes the bundle (atomically, with {@code lineage.json}) first, then
 * does the same for the {@code candidate} alias and the ModelRegistered event.
 */
public final class ModelLifecycle {
    private static final Logger LOG = Logger.getLogger(ModelLifecycle.class);

    public static final String CANDIDATE = "candidate";
    public static final String PRODUCTION = "production";
    public static final String DECISIONS_DIR = "decisions";
    public static final String HISTORY_FILE = "alias-history.json";
    public static final String LOCK_FILE = ".lifecycle.lock";
    private static final String REGISTRATION_REASON = "registration";
    private static final ObjectMapper JSON = Json.MAPPER;

    private final Path root;
    private final ModelRegistry registry;
    private final EventLog events;
    private final LifecycleRecords records;

    public ModelLifecycle(Path registryRoot) {
        this.root = registryRoot;
        this.registry = new ModelRegistry(registryRoot);
        this.events = new EventLog(registryRoot);
        this.records = new LifecycleRecords(registryRoot);
    }

    public ModelRegistry registry() {
        return registry;
    }

    public EventLog events() {
        return events;
    }


    // ------------------------------------------------------------------ registration

    /**
     * Writes a new version with its lineage ({@code lineage.json}, built from the draft's training
     * config, data fingerprint and metrics plus source commit, actor and time), points
     * {@code candidate} at it (unless a newer version already is the candidate) and appends a
     * ModelRegistered event.
     */
    public Bundle register(String model, Manifest draft, Map<String, FileContent> files, String actor, String sourceCommit) {
        if (files.containsKey(Lineage.FILE_NAME)) {
            throw new IllegalArgumentException(Lineage.FILE_NAME + " is written by the registration");
        }
        String createdAt = draft.createdAt() != null ? draft.createdAt() : Instant.now().toString();
        Manifest stamped = new Manifest(draft.formatVersion(), draft.name(), draft.version(), draft.family(), createdAt,
                draft.vocabularies(), draft.components(), draft.files(), draft.metrics(), draft.dataFingerprint(),
                draft.trainingConfig(), draft.serving());
        Lineage lineage = new Lineage(Lineage.SCHEMA, model, 0, sourceCommit == null ? Provenance.UNKNOWN : sourceCommit,
                draft.trainingConfig(), draft.dataFingerprint(), draft.metrics(), createdAt, actor,
                UUID.randomUUID().toString(), false);
        Map<String, FileContent> all = new LinkedHashMap<>(files);
        byte[] lineageJson = json(lineage);
        all.put(Lineage.FILE_NAME, FileContent.of(lineageJson));
        Bundle bundle = new BundleWriter(root).write(model, stamped, all);
        withLock(model, () -> {
            completeRegistration(model, bundle.version(), lineage.withVersion(bundle.version()), knownEventIds());
            return null;
        });
        return bundle;
    }

    /** Idempotent second half of a registration: candidate alias + history, then the event. */
    private void completeRegistration(String model, int version, Lineage lineage, Set<String> logged) {
        String eventId = lineage.registrationEventId();
        if (eventId == null || logged.contains(eventId)) {
            return;
        }
        List<AliasChange> history = new ArrayList<>(readHistory(model));
        boolean recorded = history.stream().anyMatch(c -> eventId.equals(c.eventId()));
        Optional<Integer> candidate = alias(model, CANDIDATE);
        if (!recorded && (candidate.isEmpty() || candidate.get() < version)) {
            history.add(new AliasChange(history.size() + 1, CANDIDATE, version, candidate.orElse(null),
                    AliasChange.REGISTER, null, eventId, lineage.registeredBy(), Instant.now().toString()));
            writeHistory(model, history);
            recorded = true;
        }
        if (recorded && alias(model, CANDIDATE).map(c -> c < version).orElse(true)) {
            registry.setAlias(model, CANDIDATE, version);
        }
        events.append(new LifecycleEvent(LifecycleEvent.SCHEMA, eventId, 0, LifecycleEvent.REGISTERED, model, version, null,
                null, lineage.registeredBy(), REGISTRATION_REASON, Instant.now().toString()));
    }

    // ------------------------------------------------------------------ promotion / rollback

    /**
     * Records a promotion decision and, if it is {@code promoted}, moves {@code production} to the
     * candidate. {@code decision.productionVersion()} must still be production (the evaluation ran
     * outside the lock): otherwise nothing is written and a LifecycleConflictException says so.
     */
    public DecisionRecord commitPromotion(DecisionRecord decision) {
        if (!decision.action().equals(DecisionRecord.PROMOTE)) {
            throw new IllegalArgumentException("not a promotion decision: " + decision.action());
        }
        String model = decision.model();
        registry.listVersions(model); // unknown model -> ModelNotFoundException, before anything is created
        return withLock(model, () -> {
            recover(model);
            Optional<Integer> current = alias(model, PRODUCTION);
            if (!Objects.equals(current.orElse(null), decision.productionVersion())) {
                throw new LifecycleConflictException("production of " + model + " moved from " + decision.productionVersion()
                        + " to " + current.orElse(null) + " while the candidate was evaluated; nothing was changed, run promote again");
            }
            if (!registry.listVersions(model).contains(decision.candidateVersion())) {
                throw new ModelNotFoundException("model '" + model + "' has no version " + decision.candidateVersion()
                        + " any more (deleted while it was evaluated)");
            }
            writeDecision(decision);
            if (decision.decision().equals(DecisionRecord.PROMOTED)) {
                moveAlias(model, PRODUCTION, decision.candidateVersion(), current.orElse(null), AliasChange.PROMOTE,
                        LifecycleEvent.PROMOTED, decision.id(), decision.actor());
            }
            return decision;
        });
    }

    /** The version {@link #rollback} would re-point production to; LifecycleConflictException if there is none. */
    public int rollbackTarget(String model) {
        int current = alias(model, PRODUCTION).orElseThrow(() -> new LifecycleConflictException(
                "model '" + model + "' has no production version to roll back"));
        List<Integer> stack = productionStack(model, readHistory(model), current);
        if (stack.size() < 2) {
            throw new LifecycleConflictException("model '" + model + "' has no earlier production version to roll back to"
                    + " (production is " + current + "; production history " + stack + ")");
        }
        return stack.get(stack.size() - 2);
    }

    /**
     * Re-points {@code production} to the version that was production before the current one (the
     * production history is a stack: promotions push, rollbacks pop, so repeated rollbacks walk
     * further back), writes a decision record and appends a ModelRolledBack event.
     */
    public DecisionRecord rollback(String model, String actor, String reason) {
        registry.listVersions(model); // unknown model -> ModelNotFoundException
        return withLock(model, () -> {
            recover(model);
            int target = rollbackTarget(model); // LifecycleConflictException if there is no production or nothing before it
            int current = alias(model, PRODUCTION).orElseThrow();
            if (!registry.listVersions(model).contains(target)) {
                throw new LifecycleConflictException("the previous production version " + model + "/" + target
                        + " was deleted (gc --prune-rollback-targets); cannot roll back to it");
            }
            registry.load(model, Integer.toString(target)); // verifies it is intact before serving it again
            Instant now = Instant.now();
            Map<String, Object> inputs = new LinkedHashMap<>();
            inputs.put("reason", reason);
            inputs.put("productionHistory", productionStack(model, readHistory(model), current));
            DecisionRecord d = new DecisionRecord(DecisionRecord.SCHEMA, DecisionRecord.newId(now, DecisionRecord.ROLLBACK, target),
                    DecisionRecord.ROLLBACK, DecisionRecord.ROLLED_BACK, model, PRODUCTION, target, current, actor, now.toString(),
                    inputs, null, null, null, null, "production of " + model + " rolled back from version " + current + " to "
                    + target + (reason == null || reason.isBlank() ? "" : " (" + reason + ")"));
            writeDecision(d);
            moveAlias(model, PRODUCTION, target, current, AliasChange.ROLLBACK, LifecycleEvent.ROLLED_BACK, d.id(), actor);
            return d;
        });
    }

    /** Intent (history entry with the event id), alias move, event: the order {@link #recover} relies on. */
    private void moveAlias(String model, String alias, int version, Integer previous, String action, String eventType,
            String decisionId, String actor) {
        List<AliasChange> history = new ArrayList<>(readHistory(model));
        String eventId = UUID.randomUUID().toString();
        history.add(new AliasChange(history.size() + 1, alias, version, previous, action, decisionId, eventId, actor,
                Instant.now().toString()));
        writeHistory(model, history);
        registry.setAlias(model, alias, version);
        events.append(new LifecycleEvent(LifecycleEvent.SCHEMA, eventId, 0, eventType, model, version, alias, previous,
                actor, decisionId, Instant.now().toString()));
    }

    /**
     * Completes what a crash interrupted: for each alias, the last history entry whose event is not
     * in the event log is re-applied (alias moved, event appended with its original id); the newest
     * version's registration is completed the same way. Runs under the model lock before every
     * change; safe to call at any time.
     */
    public void recover(String model) {
        registry.listVersions(model);
        withLock(model, () -> {
            Set<String> logged = knownEventIds();
            List<AliasChange> history = readHistory(model);
            Map<String, AliasChange> last = new LinkedHashMap<>();
            for (AliasChange c : history) {
                last.put(c.alias(), c);
            }
            for (AliasChange c : last.values()) {
                if (c.eventId() == null || logged.contains(c.eventId())) {
                    continue;
                }
                LOG.warnf("completing interrupted %s of %s/%s -> %d", c.action(), model, c.alias(), c.version());
                if (!alias(model, c.alias()).equals(Optional.of(c.version())) && registry.listVersions(model).contains(c.version())) {
                    registry.setAlias(model, c.alias(), c.version());
                }
                String type = switch (c.action()) {
                    case AliasChange.PROMOTE -> LifecycleEvent.PROMOTED;
                    case AliasChange.ROLLBACK -> LifecycleEvent.ROLLED_BACK;
                    default -> LifecycleEvent.REGISTERED;
                };
                events.append(new LifecycleEvent(LifecycleEvent.SCHEMA, c.eventId(), 0, type, model, c.version(),
                        type.equals(LifecycleEvent.REGISTERED) ? null : c.alias(),
                        type.equals(LifecycleEvent.REGISTERED) ? null : c.previousVersion(), c.actor(),
                        type.equals(LifecycleEvent.REGISTERED) ? REGISTRATION_REASON : c.decisionId(), Instant.now().toString()));
                logged.add(c.eventId());
            }
            List<Integer> versions = registry.listVersions(model);
            int newest = versions.get(versions.size() - 1);
            Lineage l = readLineageFile(model, newest);
            if (l != null) {
                completeRegistration(model, newest, l, logged);
            }
            return null;
        });
    }

    // ------------------------------------------------------------------ gc

    /**
     * Deletes the versions nothing needs: kept are the newest {@code keepLatest} (>= 1, so a version
     * number is never reused), every version an alias points to, and, unless
     * {@code pruneRollbackTargets}, every earlier production version a rollback could return to.
     * A version is first renamed to a dot-directory (invisible to readers at once), then deleted.
     */
    public GcReport gc(String model, int keepLatest, boolean pruneRollbackTargets, boolean dryRun) {
        if (keepLatest < 1) {
            throw new IllegalArgumentException("keep-latest must be >= 1 (the newest version is always kept so that"
                    + " version numbers are never reused), got " + keepLatest);
        }
        registry.listVersions(model);
        return withLock(model, () -> {
            if (!dryRun) {
                recover(model);
            }
            List<Integer> versions = registry.listVersions(model);
            Map<Integer, List<String>> kept = new TreeMap<>();
            for (int i = Math.max(0, versions.size() - keepLatest); i < versions.size(); i++) {
                kept.computeIfAbsent(versions.get(i), k -> new ArrayList<>()).add("latest");
            }
            registry.aliases(model).forEach((a, v) -> kept.computeIfAbsent(v, k -> new ArrayList<>()).add("alias:" + a));
            if (!pruneRollbackTargets) {
                Optional<Integer> prod = alias(model, PRODUCTION);
                if (prod.isPresent()) {
                    List<Integer> stack = productionStack(model, readHistory(model), prod.get());
                    for (int v : stack.subList(0, stack.size() - 1)) {
                        kept.computeIfAbsent(v, k -> new ArrayList<>()).add("rollback-target");
                    }
                }
            }
            List<Integer> deleted = versions.stream().filter(v -> !kept.containsKey(v)).toList();
            kept.keySet().retainAll(versions);
            if (!dryRun) {
                Path modelDir = root.resolve(model);
                for (int v : deleted) {
                    Path trash = modelDir.resolve(".gc-" + v + "-" + UUID.randomUUID());
                    try {
                        Files.move(modelDir.resolve(Integer.toString(v)), trash, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                        AtomicFiles.fsyncDirectory(modelDir);
                        AtomicFiles.deleteRecursively(trash);
                    } catch (IOException e) {
                        throw new UncheckedIOException("gc could not delete " + model + "/" + v + ": " + e.getMessage(), e);
                    }
                    LOG.infof("gc deleted %s/%d", model, v);
                }
            }
            List<String> leftovers = Leftovers.of(root.resolve(model));
            if (!dryRun) {
                for (String name : leftovers) {
                    try {
                        AtomicFiles.deleteRecursively(root.resolve(model).resolve(name));
                    } catch (IOException e) {
                        LOG.warnf("gc could not remove leftover %s/%s: %s", model, name, e.getMessage());
                    }
                }
            }
            return new GcReport(model, kept, deleted, leftovers, dryRun);
        });
    }


    // ------------------------------------------------------------------ read side

    public Optional<Integer> alias(String model, String alias) {
        return Optional.ofNullable(registry.aliases(model).get(alias));
    }

    /** The lineage of a version: its {@code lineage.json}, or one derived from the manifest for older bundles. */
    public Lineage lineage(String model, int version) {
        Bundle b = registry.load(model, Integer.toString(version));
        if (b.manifest().files().containsKey(Lineage.FILE_NAME)) {
            try {
                return JSON.readValue(b.readFile(Lineage.FILE_NAME), Lineage.class).withVersion(version);
            } catch (IOException e) {
                throw new BundleCorruptException("bundle " + model + "/" + version + ": unreadable lineage: " + e.getMessage(), e);
            }
        }
        Manifest m = b.manifest();
        return new Lineage(Lineage.SCHEMA, model, version, Provenance.UNKNOWN, m.trainingConfig(), m.dataFingerprint(),
                m.metrics(), m.createdAt(), Provenance.UNKNOWN, null, true);
    }


    /** Every alias change of the model, oldest first. */
    public List<AliasChange> aliasHistory(String model) {
        registry.listVersions(model);
        return readHistory(model);
    }



    /** Production history as a stack (bottom first): promotions push, rollbacks pop; top = current production. */
    List<Integer> productionStack(String model, List<AliasChange> history, int current) {
        List<Integer> stack = new ArrayList<>();
        for (AliasChange c : history) {
            if (!c.alias().equals(PRODUCTION)) {
                continue;
            }
            if (c.action().equals(AliasChange.ROLLBACK)) {
                if (!stack.isEmpty()) {
                    stack.remove(stack.size() - 1);
                }
                if (stack.isEmpty() || stack.get(stack.size() - 1) != c.version()) {
                    stack.add(c.version());
                }
            } else {
                stack.add(c.version());
            }
        }
        if (stack.isEmpty() || stack.get(stack.size() - 1) != current) {
            stack.add(current); // moved outside the lifecycle tooling
        }
        return stack;
    }

    // ------------------------------------------------------------------ storage




    private Set<String> knownEventIds() {
        Set<String> ids = new HashSet<>();
        for (LifecycleEvent e : events.readAfter(0)) {
            ids.add(e.eventId());
        }
        return ids;
    }

    static byte[] json(Object o) {
        try {
            return JSON.writeValueAsBytes(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String toJson(Object o) {
        return new String(json(o), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Runs {@code body} holding the model's lock ({@link ModelLock}). */
    private <T> T withLock(String model, Supplier<T> body) {
        return ModelLock.withLock(root, model, body);
    }

    /** Every decision record of the model, oldest first. */
    public List<DecisionRecord> decisions(String model) {
        registry.listVersions(model);
        return records.decisions(model);
    }

    /** The file a decision record is stored in. */
    public Path decisionFile(String model, String id) {
        return records.decisionFile(model, id);
    }

    private void writeDecision(DecisionRecord d) {
        records.writeDecision(d);
    }

    private List<AliasChange> readHistory(String model) {
        return records.readHistory(model);
    }

    private void writeHistory(String model, List<AliasChange> changes) {
        records.writeHistory(model, changes);
    }

    private Lineage readLineageFile(String model, int version) {
        return records.readLineageFile(model, version);
    }
}
