/** What both inference services share: the family-agnostic request path, the model cache wiring, errors, streams and readiness. */
package io.crossmodal.serving.common;
