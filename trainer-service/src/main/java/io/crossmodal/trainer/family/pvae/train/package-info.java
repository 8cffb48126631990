/** PVAE training loop (Adam, progress with ETA, checkpoints and resume, learning curves) and ONNX export. */
package io.crossmodal.trainer.family.pvae.train;
