/** Training progress events and the console progress bar. */
package io.crossmodal.trainer.progress;
