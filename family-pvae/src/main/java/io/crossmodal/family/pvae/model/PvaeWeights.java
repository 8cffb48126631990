package io.crossmodal.family.pvae.model;

/**
 * What serving needs of a trained PVAE (or of a baseline, which lacks some parts): the unimodal
 * encoders and the decoders. Any of them may be null (a speech-only VAE has no image parts).
 *
 * @param frames fixed number of filterbank frames the speech networks take
 * @param melBins mel bins per frame
 */
public record PvaeWeights(int frames, int melBins, EncoderWeights speechEncoder, EncoderWeights imageEncoder,
        DecoderWeights speechDecoder, DecoderWeights imageDecoder) {}
