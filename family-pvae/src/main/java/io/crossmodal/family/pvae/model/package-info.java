/** Plain-array weights and sizes of a trained PVAE, the exchange format between the DJL trainer and the ONNX graph builders. */
package io.crossmodal.family.pvae.model;
