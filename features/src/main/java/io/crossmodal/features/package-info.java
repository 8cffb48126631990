/** Input features shared by the trainer and the services, so that what a model sees in training is what it sees in serving. */
package io.crossmodal.features;
