package io.crossmodal.features.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.features.FeatureInputException;
import io.crossmodal.features.image.ImageInput;
import org.junit.jupiter.api.Test;

/** Bad audio, frames and images are refused with a message that says what is wrong. */
class InputChecksTest {

    private final SpeechFeatures features = new SpeechFeatures(FbankConfig.DEFAULT, AudioLimits.DEFAULT, 16);

    @Test
    void unsupportedSampleRateIsNamed() {
        var e = assertThrows(FeatureInputException.class,
                () -> features.fromAudio(new AudioSignal(new float[4410], 44100)));
        assertTrue(e.getMessage().contains("unsupported sample rate 44100"), e.getMessage());
    }

    @Test
    void tooLongAudioIsRefused() {
        var e = assertThrows(FeatureInputException.class,
                () -> features.fromAudio(new AudioSignal(new float[8000 * 11], 8000)));
        assertTrue(e.getMessage().contains("audio too long"), e.getMessage());
    }

    @Test
    void nanSampleIsRefused() {
        float[] s = new float[800];
        s[17] = Float.NaN;
        var e = assertThrows(FeatureInputException.class, () -> features.fromAudio(new AudioSignal(s, 8000)));
        assertTrue(e.getMessage().contains("sample 17"), e.getMessage());
    }

    @Test
    void silenceIsRefused() {
        var e = assertThrows(FeatureInputException.class, () -> features.fromAudio(new AudioSignal(new float[800], 8000)));
        assertTrue(e.getMessage().contains("silent"), e.getMessage());
    }

    @Test
    void garbageWavIsRefused() {
        var e = assertThrows(FeatureInputException.class, () -> WavDecoder.decode(new byte[] {1, 2, 3, 4, 5}, 1000));
        assertTrue(e.getMessage().contains("WAV"), e.getMessage());
        assertThrows(FeatureInputException.class, () -> WavDecoder.decode(new byte[2000], 1000));
    }

    @Test
    void framesAreCheckedAndResampled() {
        assertThrows(FeatureInputException.class, () -> features.fromFrames(new float[3][79]));
        float[][] f = new float[3][80];
        f[1][5] = Float.POSITIVE_INFINITY;
        assertThrows(FeatureInputException.class, () -> features.fromFrames(f));
        f[1][5] = 2f;
        float[][] out = features.fromFrames(f);
        assertEquals(16, out.length);
        // [0, 2, 0] over time, linearly interpolated: zero at both ends, close to 2 in the middle
        assertEquals(0f, out[0][5]);
        assertEquals(0f, out[15][5]);
        assertEquals(2f * 14 / 15, out[7][5], 1e-6);
    }

    @Test
    void imagesAreChecked() {
        assertThrows(FeatureInputException.class, () -> ImageInput.check(new float[784], 27, 29));
        float[] px = new float[784];
        px[3] = 1.5f;
        var e = assertThrows(FeatureInputException.class, () -> ImageInput.check(px, 28, 28));
        assertTrue(e.getMessage().contains("pixel 3"), e.getMessage());
        px[3] = Float.NaN;
        assertThrows(FeatureInputException.class, () -> ImageInput.check(px, 28, 28));
        px[3] = 0.5f;
        assertEquals(px, ImageInput.check(px, 28, 28));
    }
}
