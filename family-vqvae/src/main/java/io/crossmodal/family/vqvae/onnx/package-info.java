/** ONNX graphs of the VQ-VAE (encoder + quantiser, unit lookup, decoder step, speaker lookup) and their ONNX Runtime runner. */
package io.crossmodal.family.vqvae.onnx;
