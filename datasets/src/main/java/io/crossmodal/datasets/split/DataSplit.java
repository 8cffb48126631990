package io.crossmodal.datasets.split;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;

/** The result of {@link Splitter#split}: five disjoint word sets plus hashes identifying them. */
public final class DataSplit {
    private final SplitConfig config;
    private final Map<SplitName, Split> splits;
    private final String fingerprint;

    /** @param data per split, word -> pronunciations in sorted word order */
    DataSplit(SplitConfig config, Map<SplitName, SortedMap<String, List<List<String>>>> data) {
        this.config = Objects.requireNonNull(config, "config");
        Map<SplitName, Split> m = new EnumMap<>(SplitName.class);
        for (SplitName name : SplitName.values()) {
            SortedMap<String, List<List<String>>> words = data.get(name);
            m.put(name, new Split(name, Collections.unmodifiableSortedMap(words), wordsHash(words.keySet())));
        }
        this.splits = Collections.unmodifiableMap(m);
        this.fingerprint = computeFingerprint();
    }

    public SplitConfig config() {
        return config;
    }

    public Split split(SplitName name) {
        return splits.get(name);
    }

    public Map<String, List<List<String>>> pronunciations(SplitName name) {
        return splits.get(name).pronunciations();
    }

    public List<String> words(SplitName name) {
        return splits.get(name).words();
    }

    public int count(SplitName name) {
        return splits.get(name).size();
    }

    public String hash(SplitName name) {
        return splits.get(name).wordsSha256();
    }

    /**
     * Identifies the data a model saw: the split word hashes, the config and the pronunciations
     * themselves (so a lexicon revision that only changes pronunciations is still told apart).
     */
    public String fingerprint() {
        return fingerprint;
    }

    /** Report-friendly summary, serialisable with Jackson. */
    public Summary toJson() {
        Map<String, Integer> words = new LinkedHashMap<>();
        Map<String, Integer> prons = new LinkedHashMap<>();
        Map<String, String> hashes = new LinkedHashMap<>();
        for (Split s : splits.values()) {
            words.put(s.name().key(), s.size());
            prons.put(s.name().key(), s.pronunciationCount());
            hashes.put(s.name().key(), s.wordsSha256());
        }
        return new Summary(config.toMap(), words, prons, hashes, fingerprint);
    }

    /** Counts are per split key ({@link SplitName#key()}); hashes are hex SHA-256. */
    public record Summary(Map<String, Object> config, Map<String, Integer> words,
            Map<String, Integer> pronunciations, Map<String, String> hashes, String fingerprint) {
    }

    private static String wordsHash(Iterable<String> sortedWords) {
        MessageDigest md = sha256();
        for (String w : sortedWords) {
            md.update((w + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return hex(md.digest());
    }

    private String computeFingerprint() {
        MessageDigest md = sha256();
        StringBuilder sb = new StringBuilder("crossmodal.split.v1\nconfig");
        config.toMap().forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        sb.append('\n');
        update(md, sb);
        for (Split s : splits.values()) {
            update(md, new StringBuilder(s.name().key()).append(' ').append(s.wordsSha256()).append('\n'));
        }
        for (Split s : splits.values()) {
            for (Map.Entry<String, List<List<String>>> e : s.pronunciations().entrySet()) {
                StringBuilder line = new StringBuilder(s.name().key()).append('\t').append(e.getKey());
                for (List<String> p : e.getValue()) {
                    line.append('\t').append(String.join(" ", p));
                }
                update(md, line.append('\n'));
            }
        }
        return hex(md.digest());
    }

    private static void update(MessageDigest md, CharSequence s) {
        md.update(s.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    private static String hex(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(bytes);
    }

    @Override
    public String toString() {
        return "DataSplit" + toJson().words() + " fingerprint=" + fingerprint;
    }
}
