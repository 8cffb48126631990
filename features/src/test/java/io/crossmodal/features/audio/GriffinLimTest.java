package io.crossmodal.features.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GriffinLimTest {

    @Test
    void invertedToneHasTheToneLogMelAndDecodesAsWav() {
        int sr = 8000;
        float[] tone = new float[sr / 2];
        for (int i = 0; i < tone.length; i++) {
            tone[i] = (float) (0.5 * Math.sin(2 * Math.PI * 440 * i / sr));
        }
        FbankConfig cfg = new FbankConfig(40, 25, 10, 20, 4000, 0);
        LogMelFilterbank fb = new LogMelFilterbank(cfg);
        float[][] target = fb.compute(new AudioSignal(tone, sr));
        float[] back = new GriffinLim(cfg, sr, 30).invert(target);
        float[][] again = fb.compute(new AudioSignal(back, sr));
        // the loudest mel bin of the inverted signal is the tone's
        for (int t = 5; t < Math.min(target.length, again.length) - 5; t += 7) {
            assertEquals(argmax(target[t]), argmax(again[t]), 1, "frame " + t);
        }
        AudioSignal decoded = WavDecoder.decode(GriffinLim.wav(back, sr), 1 << 20);
        assertEquals(sr, decoded.sampleRate());
        assertEquals(back.length, decoded.samples().length);
        assertTrue(Math.abs(decoded.samples()[100] - back[100]) < 1e-3);
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
