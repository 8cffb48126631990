/** The training SPI of model families (TrainingFamily), found with java.util.ServiceLoader. */
package io.crossmodal.trainer.family;
