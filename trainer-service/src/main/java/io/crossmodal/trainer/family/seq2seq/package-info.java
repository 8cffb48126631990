/** The seq2seq family's TrainingFamily: training, evaluation and gate scores of g2p / p2g / prior. */
package io.crossmodal.trainer.family.seq2seq;
