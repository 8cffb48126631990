/** Symbol vocabularies with the reserved padding, start, end and unknown symbols. */
package io.crossmodal.family.seq2seq.vocab;
