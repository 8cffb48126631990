/** CMUdict: the pinned npm download (checksummed, cached), its parsers and the lexicon (trainer only). */
package io.crossmodal.datasets.cmudict;
