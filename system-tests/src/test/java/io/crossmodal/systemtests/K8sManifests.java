package io.crossmodal.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads what the trainer's Kubernetes workloads run from the manifests in k8s/base (not a copy in the test), so a
 * change of a command line, of its environment or of the image layout it assumes is run by these tests.
 */
final class K8sManifests {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private K8sManifests() {
    }

    static Path base() {
        return Apps.repoRoot().resolve("k8s/base");
    }

    /** The object of {@code kind} named {@code name} in a (multi-document) manifest file of k8s/base. */
    static JsonNode object(String file, String kind, String name) throws IOException {
        try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(base().resolve(file).toFile())) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && kind.equals(doc.path("kind").asText()) && name.equals(doc.path("metadata").path("name").asText())) {
                    return doc;
                }
            }
        }
        throw new AssertionError(kind + " " + name + " not found in k8s/base/" + file);
    }

    /** The container {@code name} of a pod spec's {@code containers} or {@code initContainers}. */
    static JsonNode container(JsonNode podSpec, String list, String name) {
        for (JsonNode c : podSpec.path(list)) {
            if (name.equals(c.path("name").asText())) {
                return c;
            }
        }
        throw new AssertionError("no " + list + " entry named " + name + " in " + podSpec);
    }

    /** {@code command} followed by {@code args}. */
    static List<String> commandLine(JsonNode container) {
        List<String> out = new ArrayList<>();
        container.path("command").forEach(n -> out.add(n.asText()));
        container.path("args").forEach(n -> out.add(n.asText()));
        return out;
    }

    /**
     * The container's environment as Kubernetes builds it: the literals of each ConfigMap in {@code envFrom} (from
     * kustomization.yaml's configMapGenerator), then {@code env} (later entries win).
     */
    static Map<String, String> environment(JsonNode container) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode from : container.path("envFrom")) {
            String cm = from.path("configMapRef").path("name").asText();
            if (cm.isEmpty()) {
                throw new AssertionError("envFrom other than a configMapRef is not modelled here: " + from);
            }
            env.putAll(configMapLiterals(cm));
        }
        for (JsonNode e : container.path("env")) {
            if (!e.has("value")) {
                throw new AssertionError("env valueFrom is not modelled here: " + e);
            }
            env.put(e.path("name").asText(), e.path("value").asText());
        }
        return env;
    }

    /** {@code KEY=value} literals of a configMapGenerator entry of k8s/base/kustomization.yaml. */
    static Map<String, String> configMapLiterals(String name) throws IOException {
        JsonNode k = YAML.readTree(base().resolve("kustomization.yaml").toFile());
        for (JsonNode gen : k.path("configMapGenerator")) {
            if (name.equals(gen.path("name").asText())) {
                Map<String, String> out = new LinkedHashMap<>();
                for (JsonNode lit : gen.path("literals")) {
                    String s = lit.asText();
                    int eq = s.indexOf('=');
                    out.put(s.substring(0, eq), s.substring(eq + 1));
                }
                return out;
            }
        }
        throw new AssertionError("configMapGenerator " + name + " not found in k8s/base/kustomization.yaml");
    }
}
