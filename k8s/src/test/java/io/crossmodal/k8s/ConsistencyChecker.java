package io.crossmodal.k8s;

import static io.crossmodal.k8s.SchemaValidator.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks one rendered kustomization as a whole: what the API server does not check when the objects are applied
 * one by one, but what makes the deployment work (or keeps it safe).
 *
 * <ul>
 *   <li>Selectors: every Service, PodDisruptionBudget and NetworkPolicy selects pods of a workload in the render;
 *       Services select only long-running pods (not the training Job / CronJob pods); a Deployment's selector
 *       matches its own pod template; an HPA's target exists and the Deployment leaves replicas to it.</li>
 *   <li>References: every ConfigMap, Secret, PersistentVolumeClaim and ServiceAccount a pod uses exists in the
 *       render or is listed in the out-of-band allowlist (k8s/out-of-band.txt); allowlisted objects are not rendered
 *       and are all used; no Secret is rendered at all (no secret values in git); volume mounts name declared
 *       volumes; a configMapKeyRef names a key the ConfigMap has.</li>
 *   <li>Ports: probes point at declared container ports; Service target ports and NetworkPolicy ingress ports are
 *       declared by the pods they select.</li>
 *   <li>Security baseline: named ServiceAccounts without token automount and no RBAC objects (no pod here talks to
 *       the API); non-root pods with a seccomp profile; containers without privilege escalation, with a read-only
 *       root filesystem, all capabilities dropped, and CPU/memory requests and limits.</li>
 * </ul>
 */
public final class ConsistencyChecker {
    record Ref(String kind, String name) {
        @Override
        public String toString() {
            return kind + "/" + name;
        }
    }

    record Pods(String ownerKind, String ownerName, String ns, JsonNode labels, JsonNode spec) {
        String id() {
            return ownerKind + "/" + ownerName;
        }

        boolean longRunning() {
            return Set.of("Deployment", "StatefulSet", "DaemonSet").contains(ownerKind);
        }

        List<JsonNode> containers() {
            List<JsonNode> out = new ArrayList<>();
            spec.path("initContainers").forEach(out::add);
            spec.path("containers").forEach(out::add);
            return out;
        }

        boolean declaresPort(JsonNode port) {
            for (JsonNode c : containers()) {
                for (JsonNode p : c.path("ports")) {
                    if (port.isTextual() ? port.asText().equals(text(p.get("name")))
                            : port.asInt() == p.path("containerPort").asInt(-1)) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    private static final Set<String> RBAC = Set.of("Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding");

    private ConsistencyChecker() {
    }

    /** The out-of-band allowlist: lines "Kind name", '#' comments. */
    public static Set<Ref> readAllowlist(Path file) throws IOException {
        Set<Ref> out = new LinkedHashSet<>();
        for (String line : Files.readAllLines(file)) {
            String l = line.replaceAll("#.*", "").trim();
            if (l.isEmpty()) {
                continue;
            }
            String[] parts = l.split("\\s+");
            if (parts.length != 2) {
                throw new IllegalArgumentException(file + ": expected 'Kind name', got '" + line + "'");
            }
            out.add(new Ref(parts[0], parts[1]));
        }
        return out;
    }

    public static List<String> check(List<JsonNode> objects, Set<Ref> outOfBand) {
        List<String> errors = new ArrayList<>();
        Map<String, JsonNode> byKey = new HashMap<>();
        List<Pods> pods = new ArrayList<>();
        Set<Ref> rendered = new HashSet<>();
        for (JsonNode o : objects) {
            String kind = text(o.get("kind"));
            String name = text(o.path("metadata").get("name"));
            byKey.put(key(kind, ns(o), name), o);
            rendered.add(new Ref(kind, name));
            switch (kind == null ? "" : kind) {
                case "Deployment", "StatefulSet", "DaemonSet", "Job" ->
                        pods.add(new Pods(kind, name, ns(o), o.path("spec").path("template").path("metadata").path("labels"),
                                o.path("spec").path("template").path("spec")));
                case "CronJob" -> {
                    JsonNode t = o.path("spec").path("jobTemplate").path("spec").path("template");
                    pods.add(new Pods(kind, name, ns(o), t.path("metadata").path("labels"), t.path("spec")));
                }
                default -> {
                }
            }
            if ("Secret".equals(kind)) {
                errors.add("Secret/" + name + ": rendered; Secrets are created out of band (k8s/README.md) and listed in out-of-band.txt");
            }
            if (RBAC.contains(kind)) {
                errors.add(kind + "/" + name + ": no pod of this stack needs Kubernetes API access; RBAC objects are not expected");
            }
            if ("ServiceAccount".equals(kind) && !o.path("automountServiceAccountToken").isBoolean()
                    || "ServiceAccount".equals(kind) && o.path("automountServiceAccountToken").asBoolean()) {
                errors.add("ServiceAccount/" + name + ": automountServiceAccountToken must be false");
            }
        }
        Set<Ref> usedOutOfBand = new HashSet<>();
        for (Ref r : outOfBand) {
            if (rendered.contains(r)) {
                errors.add(r + ": listed as out of band but rendered");
            }
        }

        Set<String> hpaTargets = new HashSet<>();
        for (JsonNode o : objects) {
            if ("HorizontalPodAutoscaler".equals(text(o.get("kind")))) {
                JsonNode ref = o.path("spec").path("scaleTargetRef");
                String id = "HorizontalPodAutoscaler/" + text(o.path("metadata").get("name"));
                String target = key(text(ref.get("kind")), ns(o), text(ref.get("name")));
                if (!byKey.containsKey(target)) {
                    errors.add(id + ": scaleTargetRef " + text(ref.get("kind")) + "/" + text(ref.get("name")) + " is not in the render");
                } else {
                    hpaTargets.add(target);
                }
            }
        }

        for (Pods p : pods) {
            checkPods(p, byKey, outOfBand, usedOutOfBand, errors);
        }

        for (JsonNode o : objects) {
            String kind = text(o.get("kind"));
            String id = kind + "/" + text(o.path("metadata").get("name"));
            String ns = ns(o);
            switch (kind == null ? "" : kind) {
                case "Deployment" -> {
                    JsonNode sel = o.path("spec").path("selector");
                    if (!matches(sel, o.path("spec").path("template").path("metadata").path("labels"))) {
                        errors.add(id + ": spec.selector does not match its own pod template labels");
                    }
                    if (hpaTargets.contains(key(kind, ns, text(o.path("metadata").get("name"))))
                            && o.path("spec").has("replicas")) {
                        errors.add(id + ": spec.replicas is set although a HorizontalPodAutoscaler scales it (every apply would reset it)");
                    }
                }
                case "Service" -> checkService(o, id, pods, errors);
                case "PodDisruptionBudget" -> {
                    List<Pods> sel = selected(pods, ns, o.path("spec").path("selector"), false);
                    if (sel.stream().noneMatch(Pods::longRunning)) {
                        errors.add(id + ": selector matches no Deployment's pods");
                    }
                }
                case "NetworkPolicy" -> checkNetworkPolicy(o, id, pods, errors);
                default -> {
                }
            }
        }

        for (Ref r : outOfBand) {
            if (!usedOutOfBand.contains(r)) {
                errors.add(r + ": listed in out-of-band.txt but referenced by no pod (stale entry)");
            }
        }
        return errors;
    }

    private static void checkPods(Pods p, Map<String, JsonNode> byKey, Set<Ref> outOfBand, Set<Ref> used, List<String> errors) {
        String id = p.id();
        JsonNode spec = p.spec();
        String sa = text(spec.get("serviceAccountName"));
        if (sa == null || sa.equals("default")) {
            errors.add(id + ": pods must name their own ServiceAccount (serviceAccountName)");
        } else {
            ref(id, "ServiceAccount", sa, p.ns(), byKey, outOfBand, used, errors);
        }
        if (!spec.path("automountServiceAccountToken").isBoolean() || spec.path("automountServiceAccountToken").asBoolean()) {
            errors.add(id + ": automountServiceAccountToken must be false in the pod spec");
        }
        JsonNode psc = spec.path("securityContext");
        if (!psc.path("seccompProfile").has("type")) {
            errors.add(id + ": pod securityContext.seccompProfile is not set (RuntimeDefault)");
        }

        Set<String> volumes = new HashSet<>();
        for (JsonNode v : spec.path("volumes")) {
            volumes.add(text(v.get("name")));
            // Secret / ConfigMap files belong to root (group: the fsGroup, if any): without world-read a non-root
            // user reads them only through the fsGroup
            for (String src : List.of("secret", "configMap", "projected")) {
                JsonNode mode = v.path(src).path("defaultMode");
                if (mode.isInt() && (mode.asInt() & 04) == 0
                        && (!psc.has("fsGroup") || (mode.asInt() & 040) == 0)) {
                    errors.add(id + ": volume " + text(v.get("name")) + " (defaultMode 0" + Integer.toOctalString(mode.asInt())
                            + ") is unreadable for the non-root user: set fsGroup and group read, or world read");
                }
            }
            if (v.has("configMap")) {
                ref(id, "ConfigMap", text(v.path("configMap").get("name")), p.ns(), byKey, outOfBand, used, errors);
            }
            if (v.has("secret")) {
                ref(id, "Secret", text(v.path("secret").get("secretName")), p.ns(), byKey, outOfBand, used, errors);
            }
            if (v.has("persistentVolumeClaim")) {
                ref(id, "PersistentVolumeClaim", text(v.path("persistentVolumeClaim").get("claimName")), p.ns(), byKey,
                        outOfBand, used, errors);
            }
            for (JsonNode s : v.path("projected").path("sources")) {
                if (s.has("configMap")) {
                    ref(id, "ConfigMap", text(s.path("configMap").get("name")), p.ns(), byKey, outOfBand, used, errors);
                }
                if (s.has("secret")) {
                    ref(id, "Secret", text(s.path("secret").get("name")), p.ns(), byKey, outOfBand, used, errors);
                }
            }
        }
        for (JsonNode s : spec.path("imagePullSecrets")) {
            ref(id, "Secret", text(s.get("name")), p.ns(), byKey, outOfBand, used, errors);
        }

        for (JsonNode c : p.containers()) {
            String cid = id + " container " + text(c.get("name"));
            for (JsonNode ef : c.path("envFrom")) {
                if (ef.has("configMapRef")) {
                    ref(cid, "ConfigMap", text(ef.path("configMapRef").get("name")), p.ns(), byKey, outOfBand, used, errors);
                }
                if (ef.has("secretRef")) {
                    ref(cid, "Secret", text(ef.path("secretRef").get("name")), p.ns(), byKey, outOfBand, used, errors);
                }
            }
            for (JsonNode e : c.path("env")) {
                JsonNode cm = e.path("valueFrom").path("configMapKeyRef");
                if (!cm.isMissingNode()) {
                    JsonNode target = ref(cid, "ConfigMap", text(cm.get("name")), p.ns(), byKey, outOfBand, used, errors);
                    if (target != null && !target.path("data").has(text(cm.get("key")))) {
                        errors.add(cid + ": env " + text(e.get("name")) + " reads key '" + text(cm.get("key"))
                                + "' that ConfigMap/" + text(cm.get("name")) + " does not have");
                    }
                }
                JsonNode sk = e.path("valueFrom").path("secretKeyRef");
                if (!sk.isMissingNode()) {
                    ref(cid, "Secret", text(sk.get("name")), p.ns(), byKey, outOfBand, used, errors);
                }
            }
            for (JsonNode m : c.path("volumeMounts")) {
                if (!volumes.contains(text(m.get("name")))) {
                    errors.add(cid + ": volumeMount " + text(m.get("name")) + " names no volume of the pod");
                }
            }
            for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                JsonNode pr = c.path(probe);
                JsonNode port = pr.has("grpc") ? pr.path("grpc").path("port")
                        : pr.has("httpGet") ? pr.path("httpGet").path("port")
                        : pr.has("tcpSocket") ? pr.path("tcpSocket").path("port") : null;
                if (port != null && !declares(c, port)) {
                    errors.add(cid + ": " + probe + " port " + port + " is not a declared container port");
                }
            }
            JsonNode sc = c.path("securityContext");
            boolean nonRoot = psc.path("runAsNonRoot").asBoolean(false) || sc.path("runAsNonRoot").asBoolean(false);
            if (!nonRoot) {
                errors.add(cid + ": runAsNonRoot is not true");
            }
            if (!sc.path("allowPrivilegeEscalation").isBoolean() || sc.path("allowPrivilegeEscalation").asBoolean()) {
                errors.add(cid + ": securityContext.allowPrivilegeEscalation must be false");
            }
            if (!sc.path("readOnlyRootFilesystem").asBoolean(false)) {
                errors.add(cid + ": securityContext.readOnlyRootFilesystem must be true");
            }
            boolean dropsAll = false;
            for (JsonNode d : sc.path("capabilities").path("drop")) {
                dropsAll |= "ALL".equals(d.asText());
            }
            if (!dropsAll || sc.path("capabilities").path("add").size() > 0) {
                errors.add(cid + ": securityContext.capabilities must drop ALL and add none");
            }
            JsonNode res = c.path("resources");
            for (String k : List.of("requests.cpu", "requests.memory", "limits.cpu", "limits.memory")) {
                String[] kk = k.split("\\.");
                if (!res.path(kk[0]).has(kk[1])) {
                    errors.add(cid + ": resources." + k + " is not set");
                }
            }
        }
    }

    private static boolean declares(JsonNode container, JsonNode port) {
        for (JsonNode p : container.path("ports")) {
            if (port.isTextual() ? port.asText().equals(text(p.get("name")))
                    : port.asInt() == p.path("containerPort").asInt(-1)) {
                return true;
            }
        }
        return false;
    }

    private static JsonNode ref(String who, String kind, String name, String ns, Map<String, JsonNode> byKey,
                                Set<Ref> outOfBand, Set<Ref> used, List<String> errors) {
        JsonNode target = byKey.get(key(kind, ns, name));
        if (target != null) {
            return target;
        }
        Ref r = new Ref(kind, name);
        if (outOfBand.contains(r)) {
            used.add(r);
        } else {
            errors.add(who + ": references " + r + ", which is neither rendered nor listed in out-of-band.txt");
        }
        return null;
    }

    private static void checkService(JsonNode o, String id, List<Pods> pods, List<String> errors) {
        JsonNode selector = o.path("spec").path("selector");
        if (selector.isEmpty()) {
            errors.add(id + ": has no selector");
            return;
        }
        List<Pods> sel = new ArrayList<>();
        for (Pods p : pods) {
            if (p.ns().equals(ns(o)) && matchLabels(selector, p.labels())) {
                sel.add(p);
            }
        }
        if (sel.isEmpty()) {
            errors.add(id + ": selector " + selector + " matches no workload's pod labels");
            return;
        }
        for (Pods p : sel) {
            if (!p.longRunning()) {
                errors.add(id + ": selector also matches the pods of " + p.id());
            }
        }
        for (JsonNode port : o.path("spec").path("ports")) {
            JsonNode target = port.has("targetPort") ? port.get("targetPort") : port.get("port");
            for (Pods p : sel) {
                if (p.longRunning() && !p.declaresPort(target)) {
                    errors.add(id + ": targetPort " + target + " is not declared by the pods of " + p.id());
                }
            }
        }
    }

    private static void checkNetworkPolicy(JsonNode o, String id, List<Pods> pods, List<String> errors) {
        String ns = ns(o);
        JsonNode podSelector = o.path("spec").path("podSelector");
        List<Pods> subjects = selected(pods, ns, podSelector, true);
        if (subjects.isEmpty()) {
            errors.add(id + ": spec.podSelector matches no pods");
        }
        for (String dir : List.of("ingress", "egress")) {
            String peers = dir.equals("ingress") ? "from" : "to";
            for (JsonNode rule : o.path("spec").path(dir)) {
                for (JsonNode peer : rule.path(peers)) {
                    if (peer.has("podSelector") && !peer.has("namespaceSelector")
                            && selected(pods, ns, peer.get("podSelector"), true).isEmpty()) {
                        errors.add(id + ": " + dir + " peer podSelector " + peer.get("podSelector") + " matches no pods in the namespace");
                    }
                }
                if (dir.equals("ingress")) {
                    for (JsonNode port : rule.path("ports")) {
                        if (port.has("port") && subjects.stream().noneMatch(p -> p.declaresPort(port.get("port")))) {
                            errors.add(id + ": ingress port " + port.get("port") + " is declared by none of the selected pods");
                        }
                    }
                }
            }
        }
    }

    private static List<Pods> selected(List<Pods> pods, String ns, JsonNode labelSelector, boolean emptyMatchesAll) {
        List<Pods> out = new ArrayList<>();
        boolean empty = labelSelector.path("matchLabels").isEmpty() && labelSelector.path("matchExpressions").isEmpty();
        if (empty && !emptyMatchesAll) {
            return out;
        }
        for (Pods p : pods) {
            if (p.ns().equals(ns) && matches(labelSelector, p.labels())) {
                out.add(p);
            }
        }
        return out;
    }

    /** metav1.LabelSelector semantics: matchLabels AND every matchExpression; empty selects everything. */
    static boolean matches(JsonNode selector, JsonNode labels) {
        if (!matchLabels(selector.path("matchLabels"), labels)) {
            return false;
        }
        for (JsonNode e : selector.path("matchExpressions")) {
            String key = text(e.get("key"));
            Set<String> values = new HashSet<>();
            e.path("values").forEach(v -> values.add(v.asText()));
            boolean has = labels.has(key);
            String v = has ? labels.get(key).asText() : null;
            boolean ok = switch (text(e.get("operator"))) {
                case "In" -> has && values.contains(v);
                case "NotIn" -> !has || !values.contains(v);
                case "Exists" -> has;
                case "DoesNotExist" -> !has;
                default -> false;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean matchLabels(JsonNode wanted, JsonNode labels) {
        for (Iterator<Map.Entry<String, JsonNode>> it = wanted.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!labels.has(e.getKey()) || !labels.get(e.getKey()).asText().equals(e.getValue().asText())) {
                return false;
            }
        }
        return true;
    }

    private static String ns(JsonNode o) {
        String ns = text(o.path("metadata").get("namespace"));
        return ns == null ? "" : ns;
    }

    private static String key(String kind, String ns, String name) {
        return kind + "|" + ("Namespace".equals(kind) ? "" : ns) + "|" + name;
    }
}
