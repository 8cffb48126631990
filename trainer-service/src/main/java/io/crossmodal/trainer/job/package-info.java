/** Training jobs: the generic job runner and the seq2seq supervised and noisy-channel jobs. */
package io.crossmodal.trainer.job;
