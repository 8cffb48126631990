/** Deterministic, fingerprinted splits of a lexicon into paired, unpaired, dev and test parts. */
package io.crossmodal.datasets.split;
