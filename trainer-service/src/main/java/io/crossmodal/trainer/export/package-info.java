/** Export of trained seq2seq components to ONNX, and registration of any family's bundle. */
package io.crossmodal.trainer.export;
