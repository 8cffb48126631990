/** Cancelling a model run from another thread (searches, batches), engine-independent. */
package io.crossmodal.runtime.control;
