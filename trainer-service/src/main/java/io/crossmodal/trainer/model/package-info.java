/** DJL blocks of the seq2seq family (attention seq2seq, prior LSTM) and their decoders. */
package io.crossmodal.trainer.model;
