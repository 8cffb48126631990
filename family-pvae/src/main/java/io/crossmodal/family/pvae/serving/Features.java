package io.crossmodal.family.pvae.serving;

/**
 * One checked model input: the speech encoder's fixed-size log-mel frames ({@code [frames][melBins]})
 * or an image's 784 grey levels.
 */
record Features(Modality modality, float[][] frames, float[] pixels) {

    static Features speech(float[][] frames) {
        return new Features(Modality.SPEECH, frames, null);
    }

    static Features image(float[] pixels) {
        return new Features(Modality.IMAGE, null, pixels);
    }
}
