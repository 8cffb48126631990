package io.crossmodal.trainer.family.pvae.model;

import ai.djl.ndarray.NDArray;

/**
 * One training step's inputs; any part may be null. Pairs: spoken digits and written digits of
 * the same class, row by row, with negatives of another digit (for the contrast term). Solo:
 * unpaired spoken or written digits (unimodal terms). Speech is standardised, images in [0, 1].
 */
public record PvaeBatch(NDArray pairSpeech, NDArray pairImage, NDArray negSpeech, NDArray negImage,
        NDArray soloSpeech, NDArray soloImage) {

    public boolean hasPairs() {
        return pairSpeech != null && pairSpeech.getShape().get(0) > 0;
    }
}
