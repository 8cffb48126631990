package io.crossmodal.datasets.cmudict;

import io.crossmodal.datasets.npm.NpmTarball;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jboss.logging.Logger;

/**
 * Obtains the CMU pronouncing dictionary. By default it downloads a pinned release of the npm
 * package {@code cmu-pronouncing-dictionary}, verifies its SHA-256 (so the data behind every
 * experiment is byte-identical), and caches it; later calls reuse the verified cache.
 */
public final class CmuDictSource {
    private static final Logger LOG = Logger.getLogger(CmuDictSource.class);

    public static final String NPM_PACKAGE = "cmu-pronouncing-dictionary";
    public static final String NPM_VERSION = "3.0.0";
    /** SHA-256 of {@code cmu-pronouncing-dictionary-3.0.0.tgz} as published on the npm registry. */
    public static final String NPM_SHA256 = "ca16ac157e95277ffe1ca105a5ca2c833a15626024f15711c2a425da367b68ce";
    public static final URI DEFAULT_URI = URI.create("https://registry.npmjs.org/" + NPM_PACKAGE
            + "/-/" + NPM_PACKAGE + "-" + NPM_VERSION + ".tgz");

    // Generous bounds: the real archive is ~1 MB and its dictionary ~5 MB; the caps only stop a
    // wrong URL from filling the disk or heap before the checksum check could reject it.
    private static final long MAX_ARCHIVE_BYTES = 64L << 20;
    private static final int MAX_DICTIONARY_BYTES = 256 << 20;
    // Files inside an archive that may hold the dictionary, most specific first.
    private static final List<String> DICTIONARY_NAMES = List.of(
            "index.js", "index.json", "dictionary.json", "cmudict.dict", "cmudict.txt", "cmudict-0.7b");

    private final URI uri;
    private final String sha256;
    private final Path cacheDir;

    /** The pinned npm release, cached under {@link #defaultCacheDir()}. */
    public CmuDictSource() {
        this(DEFAULT_URI, NPM_SHA256, defaultCacheDir());
    }

    /** The pinned npm release, cached under {@code cacheDir}. */
    public CmuDictSource(Path cacheDir) {
        this(DEFAULT_URI, NPM_SHA256, cacheDir);
    }

    /**
     * @param uri {@code https:}, {@code http:} or {@code file:} location of a .tgz archive
     * @param sha256 expected SHA-256 of the archive, hex
     * @param cacheDir directory the verified archive is kept in
     */
    public CmuDictSource(URI uri, String sha256, Path cacheDir) {
        this.uri = Objects.requireNonNull(uri, "uri");
        this.sha256 = Objects.requireNonNull(sha256, "sha256").toLowerCase(Locale.ROOT);
        if (!this.sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("sha256 must be 64 hex digits, got '" + sha256 + "'");
        }
        this.cacheDir = Objects.requireNonNull(cacheDir, "cacheDir");
    }

    /** {@code ${CROSSMODAL_CACHE:-~/.cache/crossmodal}/cmudict}. */
    public static Path defaultCacheDir() {
        String env = System.getenv("CROSSMODAL_CACHE");
        Path root = env != null && !env.isBlank()
                ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".cache", "crossmodal");
        return root.resolve("cmudict");
    }

    /** Where the verified archive is (or will be) cached. */
    public Path cachedArchive() {
        String path = uri.getPath();
        String name = path == null ? "" : path.substring(path.lastIndexOf('/') + 1);
        return cacheDir.resolve(name.isEmpty() ? "cmudict-" + sha256.substring(0, 16) + ".tgz" : name);
    }

    /** Downloads and parses the dictionary (reusing the cache when its checksum still matches). */
    public Lexicon load(boolean stripStress) throws IOException {
        return fromPath(fetch(), stripStress);
    }

    /**
     * Returns the cached archive, downloading it first if absent or no longer matching the
     * checksum. The download goes to a temp file in the cache dir and is renamed into place
     * atomically only after verification, so no reader ever sees a partial or wrong file.
     */
    public Path fetch() throws IOException {
        Path target = cachedArchive();
        if (Files.isRegularFile(target)) {
            String actual = sha256(target);
            if (actual.equals(sha256)) {
                return target;
            }
            LOG.warnf("cached %s has SHA-256 %s, expected %s; fetching again", target, actual, sha256);
            Files.delete(target);
        }
        Files.createDirectories(cacheDir);
        Path tmp = Files.createTempFile(cacheDir, ".download-", ".part");
        try {
            LOG.infof("fetching %s", uri);
            String actual = download(tmp);
            if (!actual.equals(sha256)) {
                throw new IOException("SHA-256 mismatch for " + uri + ": expected " + sha256
                        + ", got " + actual + " (download discarded)");
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Reads a lexicon from a file: a .tgz archive (detected by its gzip magic) holding one of the
     * known dictionary files, CMUdict text, or the npm package's JS/JSON object (by content).
     */
    public static Lexicon fromPath(Path path, boolean stripStress) throws IOException {
        return fromPath(path, stripStress, false);
    }

    /**
     * As {@link #fromPath(Path, boolean)}; with {@code anyInventory} CMUdict text may use any phoneme
     * inventory (a user's lexicon: IPA, tone digits, multi-character symbols), not only ARPAbet.
     */
    public static Lexicon fromPath(Path path, boolean stripStress, boolean anyInventory) throws IOException {
        byte[] content = NpmTarball.isGzip(path) ? extractDictionary(path) : Files.readAllBytes(path);
        return parse(new String(content, StandardCharsets.UTF_8), stripStress, anyInventory);
    }

    /** Parses CMUdict text or the npm package's object format, whichever {@code content} is. */
    public static Lexicon parse(String content, boolean stripStress) throws IOException {
        return parse(content, stripStress, false);
    }

    /** As {@link #parse(String, boolean)}; {@code anyInventory} as in {@link #fromPath(Path, boolean, boolean)}. */
    public static Lexicon parse(String content, boolean stripStress, boolean anyInventory) throws IOException {
        if (NpmDictParser.looksLikeModule(content)) {
            return new NpmDictParser(stripStress).parse(content);
        }
        return new CmuDictParser(stripStress, anyInventory).parse(new StringReader(content));
    }

    /** The bytes of the best-ranked dictionary file inside a .tgz archive. */
    static byte[] extractDictionary(Path tgz) throws IOException {
        byte[][] best = {null};
        int[] bestRank = {Integer.MAX_VALUE};
        List<String> seen = NpmTarball.read(tgz, (name, content) -> {
            int rank = DICTIONARY_NAMES.indexOf(name.substring(name.lastIndexOf('/') + 1));
            if (rank >= 0 && rank < bestRank[0]) {
                best[0] = content.read(MAX_DICTIONARY_BYTES);
                bestRank[0] = rank;
            }
        });
        if (best[0] == null) {
            throw new IOException("no dictionary file " + DICTIONARY_NAMES + " in archive " + tgz + "; entries: " + seen);
        }
        return best[0];
    }

    private String download(Path tmp) throws IOException {
        MessageDigest digest = newSha256();
        try (InputStream raw = open(uri);
                InputStream in = new DigestInputStream(raw, digest);
                FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            OutputStream out = Channels.newOutputStream(ch);
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                total += n;
                if (total > MAX_ARCHIVE_BYTES) {
                    throw new IOException(uri + " is larger than " + MAX_ARCHIVE_BYTES + " bytes");
                }
                out.write(buf, 0, n);
            }
            ch.force(true); // durable before the rename makes it visible
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static InputStream open(URI uri) throws IOException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "file":
                return Files.newInputStream(Path.of(uri));
            case "http":
            case "https":
                HttpClient client = HttpClient.newBuilder()
                        .followRedirects(HttpClient.Redirect.NORMAL)
                        .connectTimeout(Duration.ofSeconds(30))
                        .build();
                HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5)).GET().build();
                try {
                    HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
                    if (response.statusCode() != 200) {
                        response.body().close();
                        throw new IOException("HTTP " + response.statusCode() + " fetching " + uri);
                    }
                    return response.body();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted fetching " + uri);
                }
            default:
                throw new IOException("unsupported URI scheme '" + scheme + "': " + uri);
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest = newSha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    @Override
    public String toString() {
        return "CmuDictSource[" + uri + ", sha256=" + sha256 + ", cache=" + cacheDir + "]";
    }
}
