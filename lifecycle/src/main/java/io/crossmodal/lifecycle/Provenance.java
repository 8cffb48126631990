package io.crossmodal.lifecycle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Who is acting and which source tree produced a model: recorded in lineage, decisions and events. */
public final class Provenance {
    public static final String UNKNOWN = "unknown";
    public static final String ENV_SOURCE_COMMIT = "CROSSMODAL_SOURCE_COMMIT";
    public static final String ENV_ACTOR = "CROSSMODAL_ACTOR";

    private Provenance() {}

    /**
     * The actor: the explicit value if given, else {@code CROSSMODAL_ACTOR}, else the OS user name,
     * else {@code unknown}.
     */
    public static String actor(String explicit) {
        if (explicit != null && !explicit.isBlank()) {
            return explicit.trim();
        }
        String env = System.getenv(ENV_ACTOR);
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        String user = System.getProperty("user.name");
        return user == null || user.isBlank() ? UNKNOWN : user;
    }

    /**
     * The source commit: {@code CROSSMODAL_SOURCE_COMMIT} if set (CI sets it to the commit it built),
     * else {@code git rev-parse HEAD} in the working directory with a {@code -dirty} suffix when the
     * tree has uncommitted changes to tracked files, else {@code unknown}.
     */
    public static String sourceCommit() {
        String env = System.getenv(ENV_SOURCE_COMMIT);
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        String head = git("rev-parse", "HEAD");
        if (head == null || !head.matches("[0-9a-f]{40}")) {
            return UNKNOWN;
        }
        String status = git("status", "--porcelain", "--untracked-files=no");
        return status == null || status.isEmpty() ? head : head + "-dirty";
    }

    private static String git(String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "git";
        System.arraycopy(args, 0, cmd, 1, args.length);
        try {
            Process p = new ProcessBuilder(cmd).directory(Path.of("").toAbsolutePath().toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? new String(out, StandardCharsets.UTF_8).trim() : null;
        } catch (IOException e) {
            return null; // no git on this machine
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
