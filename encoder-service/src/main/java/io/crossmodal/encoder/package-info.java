/** The gRPC Encoder: a thin adapter that hands each request to the model family of the model it names. */
package io.crossmodal.encoder;
