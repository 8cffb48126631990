/** Promotion through the gate, with evaluation by the candidate's model family. */
package io.crossmodal.trainer.lifecycle;
