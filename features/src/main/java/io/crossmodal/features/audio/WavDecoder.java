package io.crossmodal.features.audio;

import io.crossmodal.features.FeatureInputException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;

/**
 * Decodes WAV (PCM, 8/16/24/32-bit integer, mono or multi-channel) with the JDK's javax.sound
 * reader and converts to mono floats in [-1, 1]. Channels are averaged. The byte limit is checked
 * before decoding so a huge upload is refused without being parsed.
 */
public final class WavDecoder {

    private WavDecoder() {
    }

    public static AudioSignal decode(Path file) throws IOException {
        return decode(Files.readAllBytes(file), Long.MAX_VALUE);
    }

    public static AudioSignal decode(byte[] wav, long maxBytes) {
        if (wav.length > maxBytes) {
            throw new FeatureInputException("WAV data is " + wav.length + " bytes, the limit is " + maxBytes);
        }
        try (AudioInputStream in = AudioSystem.getAudioInputStream(new ByteArrayInputStream(wav))) {
            AudioFormat f = in.getFormat();
            if (f.getEncoding() != AudioFormat.Encoding.PCM_SIGNED && f.getEncoding() != AudioFormat.Encoding.PCM_UNSIGNED) {
                throw new FeatureInputException("unsupported WAV encoding " + f.getEncoding() + " (PCM integer expected)");
            }
            int bits = f.getSampleSizeInBits();
            if (bits != 8 && bits != 16 && bits != 24 && bits != 32) {
                throw new FeatureInputException("unsupported WAV sample size " + bits + " bits");
            }
            float rate = f.getSampleRate();
            if (rate != Math.rint(rate)) {
                throw new FeatureInputException("non-integer WAV sample rate " + rate);
            }
            byte[] pcm = in.readAllBytes();
            return new AudioSignal(toMono(pcm, f), (int) rate);
        } catch (UnsupportedAudioFileException e) {
            throw new FeatureInputException("not a readable WAV file: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new FeatureInputException("truncated or corrupt WAV data: " + e.getMessage(), e);
        }
    }

    private static float[] toMono(byte[] pcm, AudioFormat f) {
        int bytes = f.getSampleSizeInBits() / 8;
        int channels = f.getChannels();
        int frameSize = bytes * channels;
        int frames = pcm.length / frameSize;
        boolean signed = f.getEncoding() == AudioFormat.Encoding.PCM_SIGNED;
        boolean big = f.isBigEndian();
        double scale = Math.pow(2, f.getSampleSizeInBits() - 1);
        float[] out = new float[frames];
        for (int i = 0; i < frames; i++) {
            double sum = 0;
            for (int c = 0; c < channels; c++) {
                int off = i * frameSize + c * bytes;
                long v = 0;
                for (int b = 0; b < bytes; b++) {
                    int byteVal = pcm[off + (big ? b : bytes - 1 - b)] & 0xff;
                    v = (v << 8) | byteVal;
                }
                if (signed) {
                    v = (v << (64 - 8 * bytes)) >> (64 - 8 * bytes); // sign-extend
                } else {
                    v -= (long) scale;
                }
                sum += v / scale;
            }
            out[i] = (float) (sum / channels);
        }
        return out;
    }
}
