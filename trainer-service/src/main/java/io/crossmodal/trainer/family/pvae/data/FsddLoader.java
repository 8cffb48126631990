package io.crossmodal.trainer.family.pvae.data;

import io.crossmodal.features.audio.SpeechFeatures;
import io.crossmodal.features.audio.WavDecoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads any directory in the Free Spoken Digit Dataset's layout: {@code recordings/} holding
 * {@code {digit}_{speaker}_{take}.wav}. Split (FSDD's own convention, see its SOURCE.md): takes
 * 0-4 of every speaker and digit are the test set, all other takes the training set. Files are
 * read in name order, so the result is deterministic.
 */
public final class FsddLoader {

    private static final Pattern NAME = Pattern.compile("([0-9])_([A-Za-z0-9-]+)_([0-9]+)\\.wav");
    /** Takes below this number are test data. */
    public static final int TEST_TAKES = 5;

    public record Split(List<SpokenDigit> train, List<SpokenDigit> test) {}

    private FsddLoader() {
    }

    public static Split load(Path dir, SpeechFeatures features) throws IOException {
        Path rec = dir.resolve("recordings");
        if (!Files.isDirectory(rec)) {
            throw new IOException(dir + " is not a spoken-digit directory: it has no recordings/ folder");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(rec)) {
            files = s.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        }
        if (files.isEmpty()) {
            throw new IOException(rec + " holds no {digit}_{speaker}_{take}.wav files");
        }
        List<SpokenDigit> train = new ArrayList<>();
        List<SpokenDigit> test = new ArrayList<>();
        for (Path f : files) {
            Matcher m = NAME.matcher(f.getFileName().toString());
            m.matches();
            int take = Integer.parseInt(m.group(3));
            float[][] frames;
            try {
                frames = features.fromAudio(WavDecoder.decode(f));
            } catch (IllegalArgumentException e) {
                throw new IOException(f + ": " + e.getMessage(), e);
            }
            float[] flat = new float[frames.length * frames[0].length];
            for (int t = 0; t < frames.length; t++) {
                System.arraycopy(frames[t], 0, flat, t * frames[t].length, frames[t].length);
            }
            SpokenDigit d = new SpokenDigit(Integer.parseInt(m.group(1)), m.group(2), take, flat);
            (take < TEST_TAKES ? test : train).add(d);
        }
        if (train.isEmpty() || test.isEmpty()) {
            throw new IOException(dir + ": need takes below and from " + TEST_TAKES + " (train " + train.size()
                    + ", test " + test.size() + ")");
        }
        return new Split(train, test);
    }
}
