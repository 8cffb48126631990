/** Training throughput benchmark. */
package io.crossmodal.trainer.bench;
