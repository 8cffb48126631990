package io.crossmodal.systemtests;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A container's file system, laid out under a host directory: the trainer image's {@code /home/jboss} as Quarkus'
 * Jib build fills it from {@code target/quarkus-app} (fast-jar: {@code quarkus-run.jar}, {@code app/},
 * {@code lib/boot/}, {@code lib/main/}, {@code quarkus/}), and each volume mount point of the manifests mapped to a
 * directory of the test, so the manifests' command lines and environment run unchanged apart from the paths.
 */
final class ContainerFs {
    /** The image's application directory (Jib, base image ubi9/openjdk-17-runtime). */
    static final String APP_DIR = "/home/jboss";

    private final Map<String, String> mounts = new LinkedHashMap<>();
    private Pattern pattern;

    /** {@code root/home/jboss} made from {@code quarkusApp}, with hard links where the file system allows. */
    static Path layOutImage(Path quarkusApp, Path root) throws IOException {
        Path target = root.resolve(APP_DIR.substring(1));
        try (Stream<Path> files = Files.walk(quarkusApp)) {
            for (Path src : (Iterable<Path>) files::iterator) {
                Path dst = target.resolve(quarkusApp.relativize(src).toString());
                if (Files.isDirectory(src)) {
                    Files.createDirectories(dst);
                } else {
                    try {
                        Files.createLink(dst, src);
                    } catch (FileSystemException | UnsupportedOperationException e) {
                        Files.copy(src, dst);
                    }
                }
            }
        }
        return target;
    }

    /** Maps the container path {@code path} (and everything below it) to the host directory {@code host}. */
    ContainerFs mount(String path, Path host) {
        mounts.put(path, host.toAbsolutePath().toString());
        List<String> keys = new ArrayList<>(mounts.keySet());
        keys.sort(Comparator.comparingInt(String::length).reversed());
        // a container path at the start of a value or after ':' / '=' (class paths, -Dx=/path), followed by '/',
        // ':' or the end; one pass, so host paths put in are never mapped again
        pattern = Pattern.compile("(?<![^:=\\s])(" + keys.stream().map(Pattern::quote).collect(Collectors.joining("|")) + ")(?=/|:|$|\\s)");
        return this;
    }

    String map(String value) {
        Matcher m = pattern.matcher(value);
        return m.replaceAll(r -> Matcher.quoteReplacement(mounts.get(r.group(1))));
    }

    List<String> map(List<String> values) {
        return values.stream().map(this::map).toList();
    }

    Map<String, String> map(Map<String, String> env) {
        Map<String, String> out = new LinkedHashMap<>();
        env.forEach((k, v) -> out.put(k, map(v)));
        return out;
    }

    /** A container path as the host path it is mounted at. */
    Path host(String containerPath) {
        String mapped = map(containerPath);
        if (mapped.equals(containerPath)) {
            throw new AssertionError(containerPath + " is not under a mounted path: " + mounts.keySet());
        }
        return Path.of(mapped);
    }

    /** The image settings of a service's application.properties ({@code quarkus.jib.*}, block "container image"). */
    static Properties applicationProperties(String module) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(Apps.repoRoot().resolve(module).resolve("src/main/resources/application.properties"))) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
