/** ONNX graphs of the PVAE's unimodal encoders and decoders, built from plain weights, and an ONNX Runtime runner for them. */
package io.crossmodal.family.pvae.onnx;
