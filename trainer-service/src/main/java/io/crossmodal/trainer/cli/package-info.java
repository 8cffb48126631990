/** The trainer command line: train, export, evaluate, lifecycle commands and gRPC clients. */
package io.crossmodal.trainer.cli;
