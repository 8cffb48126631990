package io.crossmodal.features.image;

import io.crossmodal.features.FeatureInputException;

/** Checks a written-digit image: 28 x 28 grey levels, row-major, finite, in [0, 1] (MNIST's scale). */
public final class ImageInput {

    public static final int SIDE = 28;
    public static final int PIXELS = SIDE * SIDE;

    private ImageInput() {
    }

    public static float[] check(float[] pixels, int height, int width) {
        if (height != SIDE || width != SIDE) {
            throw new FeatureInputException("image is " + height + "x" + width + ", the model takes " + SIDE + "x" + SIDE);
        }
        if (pixels.length != PIXELS) {
            throw new FeatureInputException("image has " + pixels.length + " pixels, expected " + PIXELS + " (28x28)");
        }
        for (int i = 0; i < pixels.length; i++) {
            float p = pixels[i];
            if (!Float.isFinite(p)) {
                throw new FeatureInputException("pixel " + i + " is " + p + " (pixels must be finite)");
            }
            if (p < 0f || p > 1f) {
                throw new FeatureInputException("pixel " + i + " is " + p + " (grey levels must lie in [0, 1])");
            }
        }
        return pixels;
    }
}
