/** Learning-curve plots. */
package io.crossmodal.trainer.report;
