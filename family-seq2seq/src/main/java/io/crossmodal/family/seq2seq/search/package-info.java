/** Greedy, beam and sampling search over any step model (ONNX Runtime or DJL), batched. */
package io.crossmodal.family.seq2seq.search;
