package io.crossmodal.trainer.family.pvae.data;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;

/**
 * SYNTHETIC spoken digits for the quick start when no recordings are given: espeak-ng (Debian
 * package {@code espeak-ng}) speaks "zero".."nine" with several voices ("speakers"), speeds and
 * pitches ("takes"), resampled to 8 kHz by the JDK's sound converter and written in FSDD's
 * layout, so the same loader and split apply. Results say that such data is synthetic.
 */
public final class EspeakDigits {

    static final String[] WORDS = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"};
    static final String[] VOICES = {"en-us", "en-gb", "en-gb-scotland", "en-us+f3", "en-gb-x-rp+f4", "en-029+m3"};

    private EspeakDigits() {
    }

    /** Writes (once; reused when complete) {@code takes} takes per voice and digit under {@code dir}. */
    public static Path synthesise(Path dir, int takes) throws IOException {
        Path rec = dir.resolve("recordings");
        Path done = dir.resolve("COMPLETE");
        if (Files.exists(done)) {
            return dir;
        }
        Files.createDirectories(rec);
        List<String> tsv = new ArrayList<>(List.of("speaker\tgender\taccent\tlanguage"));
        for (int v = 0; v < VOICES.length; v++) {
            String speaker = "espeak" + v;
            tsv.add(speaker + "\t" + (VOICES[v].contains("+f") ? "female" : "male") + "\t" + VOICES[v] + "\tenglish (synthetic)");
            for (int digit = 0; digit < 10; digit++) {
                for (int take = 0; take < takes; take++) {
                    int speed = 120 + (take * 37) % 90;
                    int pitch = 30 + (take * 23 + v * 11) % 40;
                    byte[] wav = run(List.of("espeak-ng", "-v", VOICES[v], "-s", "" + speed, "-p", "" + pitch,
                            "--stdout", WORDS[digit]));
                    write(wav, rec.resolve(digit + "_" + speaker + "_" + take + ".wav"));
                }
            }
        }
        Files.write(dir.resolve("speakers.tsv"), tsv, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("SOURCE.md"), "# SYNTHETIC spoken digits\n\nMade by espeak-ng (" + VOICES.length
                + " voices, " + takes + " takes of varied speed and pitch), resampled to 8 kHz. Not human speech.\n");
        Files.writeString(done, "");
        return dir;
    }

    private static byte[] run(List<String> cmd) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new IOException("espeak-ng is needed to synthesise spoken digits when no recordings are given "
                    + "(Debian package espeak-ng): " + e.getMessage(), e);
        }
        byte[] out = p.getInputStream().readAllBytes();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("espeak-ng failed: " + cmd);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return out;
    }

    /** Resamples espeak-ng's 22.05 kHz output to 8 kHz mono 16-bit and writes it. */
    private static void write(byte[] wav, Path file) throws IOException {
        try (AudioInputStream in = AudioSystem.getAudioInputStream(new ByteArrayInputStream(fixHeader(wav)))) {
            AudioFormat target = new AudioFormat(8000f, 16, 1, true, false);
            try (AudioInputStream out = AudioSystem.getAudioInputStream(target, in)) {
                AudioSystem.write(out, AudioFileFormat.Type.WAVE, file.toFile());
            }
        } catch (UnsupportedAudioFileException e) {
            throw new IOException("espeak-ng wrote no readable WAV: " + e.getMessage(), e);
        }
    }

    /**
     * espeak-ng writing to a pipe cannot seek back to fill in the RIFF sizes (it leaves them at
     * 0x7fffffff); set them from the actual length so the JDK reader accepts the stream.
     */
    static byte[] fixHeader(byte[] wav) {
        if (wav.length < 44 || wav[0] != 'R' || wav[1] != 'I') {
            return wav;
        }
        byte[] b = wav.clone();
        putLe(b, 4, b.length - 8);
        // find the "data" chunk and set its size
        int pos = 12;
        while (pos + 8 <= b.length) {
            String id = new String(b, pos, 4, StandardCharsets.US_ASCII);
            if (id.equals("data")) {
                putLe(b, pos + 4, b.length - pos - 8);
                break;
            }
            int size = (b[pos + 4] & 0xff) | (b[pos + 5] & 0xff) << 8 | (b[pos + 6] & 0xff) << 16 | (b[pos + 7] & 0xff) << 24;
            pos += 8 + size;
        }
        return b;
    }

    private static void putLe(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >> 8);
        b[off + 2] = (byte) (v >> 16);
        b[off + 3] = (byte) (v >> 24);
    }
}
