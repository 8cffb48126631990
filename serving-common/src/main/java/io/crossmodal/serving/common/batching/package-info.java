/** Dynamic batching of admitted requests per model, with queue limits and deadlines. */
package io.crossmodal.serving.common.batching;
