/** The seq2seq family's serving plug-in: predictor, request mapping and limits, registered as a ServingFamily. */
package io.crossmodal.family.seq2seq.serving;
