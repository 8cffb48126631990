/** The gRPC Decoder: a thin adapter that hands each request to the model family of the model it names. */
package io.crossmodal.decoder;
