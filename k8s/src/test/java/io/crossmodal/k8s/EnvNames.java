package io.crossmodal.k8s;

import static io.crossmodal.k8s.SchemaValidator.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The environment variable names each crossmodal program reads, derived from the repository itself, and the check
 * that every variable a rendered manifest sets on a crossmodal container is one of them.
 *
 * <p>A container's program is its image's module ({@code crossmodal/encoder-service} -> module {@code encoder-service})
 * with the crossmodal modules it depends on (compile/runtime scope, from the poms). What that code reads:
 * <ul>
 *   <li>every property defined in the module's {@code application.properties} (profile prefixes stripped) and every
 *       {@code ${name}} a value refers to;</li>
 *   <li>in the main Java sources: {@code @ConfigMapping(prefix)} interfaces expanded to their property names
 *       (nested groups, {@code Map<String, group>} as a wildcard segment, {@code @WithName}), {@code @ConfigProperty(name)},
 *       {@code getValue / getOptionalValue("name", ...)}, and {@code System.getenv("NAME")} (also through a
 *       {@code static final String} constant of the same file).</li>
 * </ul>
 * Properties become environment names by Quarkus' (SmallRye Config's) rule: every character that is not a letter
 * or digit becomes {@code _}, then upper case ({@code crossmodal.onnx.device-id} -> {@code CROSSMODAL_ONNX_DEVICE_ID}).
 * Names read by other software in the image (the JVM, the image's run-java.sh, DJL, OpenMP) are listed with their
 * reader in {@code k8s/env-allowlist.txt}.
 */
final class EnvNames {
    private static final Pattern CONFIG_MAPPING = Pattern.compile("@ConfigMapping\\(\\s*prefix\\s*=\\s*\"([^\"]+)\"");
    private static final Pattern CONFIG_PROPERTY = Pattern.compile("@ConfigProperty\\(\\s*name\\s*=\\s*\"([^\"]+)\"");
    private static final Pattern GET_VALUE = Pattern.compile("\\.get(?:Optional)?Value\\(\\s*\"([^\"]+)\"\\s*[,)]");
    private static final Pattern GETENV_LITERAL = Pattern.compile("System\\.getenv\\(\\s*\"([^\"]+)\"\\s*\\)");
    private static final Pattern GETENV_CONSTANT = Pattern.compile("System\\.getenv\\(\\s*([A-Z][A-Z0-9_]*)\\s*\\)");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}:]+)(?::[^}]*)?}");
    private static final Pattern INTERFACE = Pattern.compile("\\binterface\\s+(\\w+)[^{]*\\{");
    /** a method of a mapping interface: optional annotations, return type, name(); */
    private static final Pattern METHOD = Pattern.compile(
            "((?:@\\w+(?:\\([^)]*\\))?\\s+)*)([\\w.]+(?:<[^;(){}]*>)?)\\s+(\\w+)\\(\\s*\\)\\s*;");
    private static final Pattern WITH_NAME = Pattern.compile("@WithName\\(\\s*\"([^\"]+)\"\\s*\\)");

    /** What one program reads: exact environment names and patterns (from map-valued mappings). */
    record Readable(String program, Set<String> names, List<Pattern> patterns) {
        boolean reads(String env) {
            return names.contains(env) || patterns.stream().anyMatch(p -> p.matcher(env).matches());
        }
    }

    private EnvNames() {
    }

    /** The env form of a property name (SmallRye Config): non-alphanumerics to '_', upper case. */
    static String envName(String property) {
        StringBuilder sb = new StringBuilder(property.length());
        for (char c : property.toCharArray()) {
            sb.append(Character.isLetterOrDigit(c) ? Character.toUpperCase(c) : '_');
        }
        return sb.toString();
    }

    /** What the program of module {@code module} (and the crossmodal modules it depends on) reads. */
    static Readable readable(Path repo, String module) throws IOException {
        Map<String, Path> modules = modulesByArtifactId(repo);
        Set<Path> dirs = new LinkedHashSet<>();
        collectModules(repo.resolve(module), modules, dirs);
        Set<String> properties = new TreeSet<>();
        Set<String> env = new TreeSet<>();
        Path props = repo.resolve(module).resolve("src/main/resources/application.properties");
        if (Files.isRegularFile(props)) {
            properties.addAll(applicationProperties(Files.readString(props)));
        }
        for (Path dir : dirs) {
            Path src = dir.resolve("src/main/java");
            if (!Files.isDirectory(src)) {
                continue;
            }
            try (Stream<Path> s = Files.walk(src)) {
                for (Path f : s.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                    String java = Files.readString(f);
                    properties.addAll(javaProperties(java));
                    env.addAll(javaEnv(java));
                }
            }
        }
        List<Pattern> patterns = new ArrayList<>();
        for (String p : properties) {
            if (p.contains("*")) {
                StringBuilder re = new StringBuilder();
                String[] parts = p.split("\\*", -1);
                for (int i = 0; i < parts.length; i++) {
                    if (i > 0) {
                        re.append("[A-Z0-9_]+");
                    }
                    re.append(Pattern.quote(envName(parts[i])));
                }
                patterns.add(Pattern.compile(re.toString()));
            } else {
                env.add(envName(p));
            }
        }
        return new Readable(module, env, patterns);
    }

    /** Keys defined (profile prefix stripped) and ${...} references of an application.properties. */
    static Set<String> applicationProperties(String text) {
        Set<String> out = new TreeSet<>();
        for (String line : text.split("\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#") || l.startsWith("!")) {
                continue;
            }
            int eq = l.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String key = l.substring(0, eq).strip();
            if (key.startsWith("%")) {
                key = key.substring(key.indexOf('.') + 1);
            }
            out.add(key);
            Matcher m = PLACEHOLDER.matcher(l.substring(eq + 1));
            while (m.find()) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    /** Property names a Java source reads. */
    static Set<String> javaProperties(String java) {
        Set<String> out = new TreeSet<>();
        for (Pattern p : List.of(CONFIG_PROPERTY, GET_VALUE)) {
            Matcher m = p.matcher(java);
            while (m.find()) {
                out.add(m.group(1));
            }
        }
        java = java.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("(?m)^\\s*//.*$", " ");
        Matcher mapping = CONFIG_MAPPING.matcher(java);
        if (mapping.find()) {
            Map<String, String> bodies = interfaceBodies(java);
            Matcher root = INTERFACE.matcher(java);
            if (root.find(mapping.end())) {
                expand(mapping.group(1), root.group(1), bodies, out, 0);
            }
        }
        return out;
    }

    /** Environment variables a Java source reads directly. */
    static Set<String> javaEnv(String java) {
        Set<String> out = new TreeSet<>();
        Matcher m = GETENV_LITERAL.matcher(java);
        while (m.find()) {
            out.add(m.group(1));
        }
        m = GETENV_CONSTANT.matcher(java);
        while (m.find()) {
            Matcher c = Pattern.compile("static\\s+final\\s+String\\s+" + m.group(1) + "\\s*=\\s*\"([^\"]+)\"").matcher(java);
            if (c.find()) {
                out.add(c.group(1));
            }
        }
        return out;
    }

    /** interface name -> its body with nested interface bodies blanked out (only its own methods remain) */
    private static Map<String, String> interfaceBodies(String java) {
        Map<String, String> out = new HashMap<>();
        Matcher m = INTERFACE.matcher(java);
        while (m.find()) {
            int open = m.end() - 1;
            int close = matching(java, open);
            StringBuilder own = new StringBuilder();
            int depth = 0;
            for (int i = open + 1; i < close; i++) {
                char c = java.charAt(i);
                if (c == '{') {
                    depth++;
                } else if (c == '}') {
                    depth--;
                } else if (depth == 0) {
                    own.append(c);
                }
            }
            out.put(m.group(1), own.toString());
        }
        return out;
    }

    private static int matching(String s, int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            if (s.charAt(i) == '{') {
                depth++;
            } else if (s.charAt(i) == '}' && --depth == 0) {
                return i;
            }
        }
        throw new IllegalStateException("unbalanced braces");
    }

    private static void expand(String prefix, String iface, Map<String, String> bodies, Set<String> out, int depth) {
        if (depth > 8) {
            throw new IllegalStateException("mapping nested too deep at " + prefix);
        }
        Matcher m = METHOD.matcher(bodies.get(iface));
        while (m.find()) {
            Matcher wn = WITH_NAME.matcher(m.group(1));
            String name = wn.find() ? wn.group(1) : kebab(m.group(3));
            String type = m.group(2).replaceAll("\\s", "");
            String key = prefix + "." + name;
            Matcher map = Pattern.compile("Map<String,(\\w+)>").matcher(type);
            String inner = type.replaceAll("^Optional<(.*)>$", "$1");
            if (map.matches()) {
                if (bodies.containsKey(map.group(1))) {
                    expand(key + ".*", map.group(1), bodies, out, depth + 1);
                } else {
                    out.add(key + ".*");
                }
            } else if (bodies.containsKey(inner)) {
                expand(key, inner, bodies, out, depth + 1);
            } else {
                out.add(key);
            }
        }
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    /** artifactId -> module directory, for the modules of the root pom */
    private static Map<String, Path> modulesByArtifactId(Path repo) throws IOException {
        Map<String, Path> out = new LinkedHashMap<>();
        for (String module : children(pom(repo.resolve("pom.xml")), "modules", "module")) {
            Path dir = repo.resolve(module);
            out.put(child(pom(dir.resolve("pom.xml")), "artifactId"), dir);
        }
        return out;
    }

    private static void collectModules(Path dir, Map<String, Path> modules, Set<Path> into) throws IOException {
        if (!into.add(dir)) {
            return;
        }
        Element project = pom(dir.resolve("pom.xml"));
        NodeList deps = project.getElementsByTagName("dependency");
        for (int i = 0; i < deps.getLength(); i++) {
            Element d = (Element) deps.item(i);
            if (d.getParentNode().getParentNode() != project) {
                continue; // dependencyManagement, plugin dependencies
            }
            String scope = child(d, "scope");
            String type = child(d, "type");
            Path module = modules.get(child(d, "artifactId"));
            if (module != null && !"test".equals(scope) && !"test-jar".equals(type)) {
                collectModules(module, modules, into);
            }
        }
    }

    private static Element pom(Path file) throws IOException {
        try {
            return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile()).getDocumentElement();
        } catch (javax.xml.parsers.ParserConfigurationException | org.xml.sax.SAXException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static String child(Element e, String name) {
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && c.getTagName().equals(name)) {
                return c.getTextContent().strip();
            }
        }
        return null;
    }

    private static List<String> children(Element e, String wrapper, String name) {
        List<String> out = new ArrayList<>();
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element w && w.getTagName().equals(wrapper)) {
                for (Node m = w.getFirstChild(); m != null; m = m.getNextSibling()) {
                    if (m instanceof Element c && c.getTagName().equals(name)) {
                        out.add(c.getTextContent().strip());
                    }
                }
            }
        }
        return out;
    }

    /** k8s/env-allowlist.txt: "NAME  # who reads it" lines */
    static Set<String> readOtherReaders(Path file) throws IOException {
        Set<String> out = new TreeSet<>();
        for (String line : Files.readAllLines(file)) {
            String l = line.replaceAll("#.*", "").trim();
            if (!l.isEmpty()) {
                if (!l.matches("[A-Z_][A-Z0-9_]*")) {
                    throw new IllegalArgumentException(file + ": expected one environment variable name per line, got '" + line + "'");
                }
                out.add(l);
            }
        }
        return out;
    }

    /**
     * Every environment variable set on a container of a crossmodal image (env, and the keys of envFrom ConfigMaps
     * in the render) must be read by that image's program or be listed in the allowlist of other readers.
     *
     * @param programs image name (last path segment, without tag or digest) -> what its program reads
     */
    static List<String> check(List<JsonNode> objects, Map<String, Readable> programs, Set<String> otherReaders) {
        List<String> errors = new ArrayList<>();
        Map<String, JsonNode> configMaps = new HashMap<>();
        for (JsonNode o : objects) {
            if ("ConfigMap".equals(text(o.get("kind")))) {
                configMaps.put(text(o.path("metadata").get("name")), o);
            }
        }
        for (JsonNode o : objects) {
            String kind = text(o.get("kind"));
            JsonNode pod = switch (kind == null ? "" : kind) {
                case "Deployment", "StatefulSet", "DaemonSet", "Job" -> o.path("spec").path("template").path("spec");
                case "CronJob" -> o.path("spec").path("jobTemplate").path("spec").path("template").path("spec");
                default -> null;
            };
            if (pod == null) {
                continue;
            }
            List<JsonNode> containers = new ArrayList<>();
            pod.path("initContainers").forEach(containers::add);
            pod.path("containers").forEach(containers::add);
            for (JsonNode c : containers) {
                String cid = kind + "/" + text(o.path("metadata").get("name")) + " container " + text(c.get("name"));
                String image = imageName(text(c.get("image")));
                Readable program = programs.get(image);
                if (program == null) {
                    errors.add(cid + ": image " + text(c.get("image")) + " is not a crossmodal module (known: "
                            + new TreeSet<>(programs.keySet()) + ")");
                    continue;
                }
                Map<String, String> set = new LinkedHashMap<>();
                for (JsonNode ef : c.path("envFrom")) {
                    JsonNode cm = configMaps.get(text(ef.path("configMapRef").get("name")));
                    if (cm == null) {
                        continue; // a Secret or an out-of-band ConfigMap: keys unknown here (ConsistencyChecker checks the reference)
                    }
                    String prefix = ef.path("prefix").asText("");
                    for (Iterator<String> it = cm.path("data").fieldNames(); it.hasNext(); ) {
                        set.put(prefix + it.next(), "ConfigMap/" + text(cm.path("metadata").get("name")));
                    }
                }
                for (JsonNode e : c.path("env")) {
                    set.put(text(e.get("name")), "env");
                }
                set.forEach((name, from) -> {
                    if (!program.reads(name) && !otherReaders.contains(name)) {
                        errors.add(cid + ": environment variable " + name + " (" + from + ") is read by nothing in "
                                + program.program() + " (its application.properties, config mappings, getenv) nor listed in"
                                + " env-allowlist.txt");
                    }
                });
            }
        }
        return errors;
    }

    /** registry.example.com:5000/crossmodal/encoder-service:1.0@sha256:... -> encoder-service */
    static String imageName(String image) {
        if (image == null) {
            return "";
        }
        String s = image.replaceAll("@.*$", "");
        String last = s.substring(s.lastIndexOf('/') + 1);
        int colon = last.indexOf(':');
        return colon < 0 ? last : last.substring(0, colon);
    }
}
