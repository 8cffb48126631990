/** The services' consumer of the model-lifecycle topic, which triggers a registry re-check. */
package io.crossmodal.serving.common.events;
