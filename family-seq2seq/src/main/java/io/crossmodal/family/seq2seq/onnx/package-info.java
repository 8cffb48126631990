/** The seq2seq family's ONNX graphs (encoder, decoder step, prior step, built from plain float weights) and their ONNX Runtime step models. */
package io.crossmodal.family.seq2seq.onnx;
