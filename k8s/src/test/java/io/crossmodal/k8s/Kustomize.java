package io.crossmodal.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Renders kustomizations with {@code kubectl kustomize} and parses the multi-document YAML it prints. */
final class Kustomize {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern KUSTOMIZE_VERSION = Pattern.compile("Kustomize Version: v(\\d+)\\.");

    private Kustomize() {
    }

    /** kubectl: $KUBECTL, else /usr/bin/kubectl, else the first on PATH. */
    static String kubectl() {
        String env = System.getenv("KUBECTL");
        if (env != null && !env.isBlank()) {
            return env;
        }
        if (Files.isExecutable(Path.of("/usr/bin/kubectl"))) {
            return "/usr/bin/kubectl";
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, "kubectl");
            if (!dir.isEmpty() && Files.isExecutable(p)) {
                return p.toString();
            }
        }
        throw new IllegalStateException("kubectl not found (set KUBECTL or install it: k8s/README.md, 'Validation')");
    }

    /** Fails unless kubectl has kustomize v5 or later built in (older ones lack fields the manifests use). */
    static String checkVersion() {
        String out = run(List.of(kubectl(), "version", "--client"), null);
        Matcher m = KUSTOMIZE_VERSION.matcher(out);
        if (!m.find() || Integer.parseInt(m.group(1)) < 5) {
            throw new IllegalStateException("kubectl with kustomize v5 or later needed (kubectl >= 1.27), got:\n" + out);
        }
        return out.trim();
    }

    /** `kubectl kustomize dir`, parsed: one node per object. */
    static List<JsonNode> render(Path dir) {
        return parse(run(List.of(kubectl(), "kustomize", dir.toString()), dir));
    }

    static List<JsonNode> parse(String yaml) {
        List<JsonNode> out = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (it.hasNextValue()) {
                JsonNode n = it.nextValue();
                if (n != null && !n.isNull() && !n.isMissingNode()) {
                    out.add(n);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("unparseable YAML: " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * Every directory under root holding a kustomization.yaml of kind Kustomization (build output and test sources
     * skipped); Components (kind Component) cannot be rendered alone: see {@link #components}.
     */
    static List<Path> kustomizations(Path root) throws IOException {
        return find(root, false);
    }

    /** Every directory under root holding a kustomization.yaml of kind Component. */
    static List<Path> components(Path root) throws IOException {
        return find(root, true);
    }

    private static List<Path> find(Path root, boolean components) throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(p -> p.getFileName().toString().equals("kustomization.yaml")).sorted().toList()) {
                Path d = p.getParent();
                String rel = root.relativize(d).toString();
                if (rel.startsWith("target") || rel.startsWith("src")) {
                    continue;
                }
                boolean component = "Component".equals(YAML.readTree(p.toFile()).path("kind").asText());
                if (component == components) {
                    out.add(d);
                }
            }
        }
        return out;
    }

    private static String run(List<String> cmd, Path dir) {
        try {
            Path err = Files.createTempFile("kubectl", ".err");
            try {
                Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
                p.getOutputStream().close();
                byte[] out = p.getInputStream().readAllBytes();
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", cmd) + ": timed out");
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "):\n"
                            + Files.readString(err));
                }
                return new String(out, StandardCharsets.UTF_8);
            } finally {
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new IllegalStateException(String.join(" ", cmd) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
