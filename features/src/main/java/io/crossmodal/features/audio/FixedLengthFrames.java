package io.crossmodal.features.audio;

/**
 * Resamples a variable number of frames to a fixed number by linear interpolation along time
 * (numpy.interp per bin). The PVAE's speech networks are MLPs over a fixed-size input: this keeps
 * them small and fast on a CPU while keeping the spectral shape of the whole utterance.
 */
public final class FixedLengthFrames {

    private FixedLengthFrames() {
    }

    public static float[][] resample(float[][] frames, int target) {
        if (frames.length == 0) {
            throw new IllegalArgumentException("no frames to resample");
        }
        if (target < 1) {
            throw new IllegalArgumentException("target frame count must be positive");
        }
        int bins = frames[0].length;
        float[][] out = new float[target][bins];
        int n = frames.length;
        for (int j = 0; j < target; j++) {
            double pos = target == 1 || n == 1 ? 0 : (double) j * (n - 1) / (target - 1);
            int i0 = (int) Math.floor(pos);
            int i1 = Math.min(i0 + 1, n - 1);
            double a = pos - i0;
            for (int b = 0; b < bins; b++) {
                out[j][b] = (float) ((1 - a) * frames[i0][b] + a * frames[i1][b]);
            }
        }
        return out;
    }
}
