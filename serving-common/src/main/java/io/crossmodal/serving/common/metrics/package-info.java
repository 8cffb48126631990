/** Micrometer metrics of the services: calls, queue, batches and models. */
package io.crossmodal.serving.common.metrics;
