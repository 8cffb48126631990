/** Seq2seq metrics: edit distance, PER / WER, per-word scores and evaluation reports. */
package io.crossmodal.family.seq2seq.eval;
