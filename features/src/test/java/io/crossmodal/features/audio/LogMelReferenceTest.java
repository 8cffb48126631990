package io.crossmodal.features.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks the Java front end (WAV decoding, log-mel, trimming, fixed-length resampling) against an
 * independent numpy/scipy computation to 1e-4 relative. Needs /usr/bin/python3 with Debian's
 * python3-numpy and python3-scipy: the test fails, naming them, when they are missing.
 */
class LogMelReferenceTest {

    @TempDir
    Path tmp;

    @Test
    void matchesNumpyReferenceAt8kHz() throws Exception {
        compare(8000, 1);
    }

    @Test
    void matchesNumpyReferenceAt16kHzStereo() throws Exception {
        compare(16000, 2);
    }

    private void compare(int rate, int channels) throws Exception {
        requirePython();
        short[] pcm = testSignal(rate, channels);
        Path wav = tmp.resolve("x" + rate + ".wav");
        writeWav(wav, pcm, rate, channels);
        SpeechFeatures features = new SpeechFeatures(FbankConfig.DEFAULT, AudioLimits.DEFAULT, 32);
        AudioSignal signal = WavDecoder.decode(wav);
        float[][] logMel = features.logMel(signal);
        float[][] fixed = features.fromAudio(signal);
        FbankConfig c = FbankConfig.DEFAULT;
        Path a = tmp.resolve("a.bin");
        Path b = tmp.resolve("b.bin");
        Path script = tmp.resolve("logmel_reference.py");
        try (InputStream in = getClass().getResourceAsStream("/logmel_reference.py")) {
            Files.write(script, in.readAllBytes());
        }
        run(List.of("/usr/bin/python3", script.toString(), wav.toString(), "" + c.melBins(), "" + c.windowMs(),
                "" + c.hopMs(), "" + c.fMinHz(), "" + c.fMaxHz(), "" + c.trimDb(), "32", a.toString(), b.toString()));
        double[] refLogMel = readDoubles(a);
        double[] refFixed = readDoubles(b);
        assertEquals(refLogMel.length, logMel.length * c.melBins(), "frame count after trimming differs from numpy");
        // the test signal has silence at both ends: trimming must have removed frames
        int untrimmed = 1 + (pcm.length / channels - c.windowSamples(rate)) / c.hopSamples(rate);
        assertTrue(logMel.length < untrimmed - 20, "silence was not trimmed: " + logMel.length + " of " + untrimmed);
        assertClose(refLogMel, logMel, "log-mel");
        assertClose(refFixed, fixed, "fixed-length frames");
    }

    private static void assertClose(double[] ref, float[][] actual, String what) {
        int bins = actual[0].length;
        double worst = 0;
        for (int i = 0; i < actual.length; i++) {
            for (int m = 0; m < bins; m++) {
                double r = ref[i * bins + m];
                double rel = Math.abs(actual[i][m] - r) / Math.max(Math.abs(r), 1e-3);
                worst = Math.max(worst, rel);
            }
        }
        assertTrue(worst <= 1e-4, what + ": worst relative difference " + worst + " > 1e-4");
    }

    /** A chirp with harmonics and a little noise, with 0.3 s of silence before and after. */
    private static short[] testSignal(int rate, int channels) {
        Random rnd = new Random(7);
        int pad = (int) (0.3 * rate);
        int voiced = (int) (0.5 * rate);
        short[] out = new short[(2 * pad + voiced) * channels];
        for (int i = 0; i < voiced; i++) {
            double t = (double) i / rate;
            double f = 150 + 400 * t;
            double v = 0.3 * Math.sin(2 * Math.PI * f * t) + 0.1 * Math.sin(2 * Math.PI * 3 * f * t)
                    + 0.01 * rnd.nextGaussian();
            v *= Math.sin(Math.PI * i / voiced);
            for (int ch = 0; ch < channels; ch++) {
                out[(pad + i) * channels + ch] = (short) Math.round(v * (ch == 0 ? 1 : 0.5) * 32767);
            }
        }
        return out;
    }

    private static void writeWav(Path file, short[] pcm, int rate, int channels) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(pcm.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short s : pcm) {
            buf.putShort(s);
        }
        AudioFormat f = new AudioFormat(rate, 16, channels, true, false);
        try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(buf.array()), f, pcm.length / channels)) {
            AudioSystem.write(in, AudioFileFormat.Type.WAVE, file.toFile());
        }
    }

    private static double[] readDoubles(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        double[] out = new double[b.remaining() / 8];
        b.asDoubleBuffer().get(out);
        return out;
    }

    /** Fails (never skips) when the reference cannot run, saying which Debian packages to install. */
    static void requirePython() throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/python3"))) {
            fail("/usr/bin/python3 is missing: install the Debian packages python3, python3-numpy and python3-scipy "
                    + "(the reference computation of this test needs them; scripts/test-prereqs.sh installs them)");
        }
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import numpy, scipy.signal, scipy.io.wavfile")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail("/usr/bin/python3 cannot import numpy/scipy: install the Debian packages python3-numpy and "
                    + "python3-scipy (scripts/test-prereqs.sh installs them). Python said: " + out.strip());
        }
    }

    private static void run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail("reference computation failed: " + out.toString(StandardCharsets.UTF_8));
        }
    }
}
