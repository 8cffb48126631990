/** ONNX Runtime sessions (CPU or CUDA), tensors, run control, and a small ONNX graph builder for the families' exporters. */
package io.crossmodal.runtime.onnx;
