/** The relay that publishes the registry's event log on the model-lifecycle topic. */
package io.crossmodal.trainer.events;
