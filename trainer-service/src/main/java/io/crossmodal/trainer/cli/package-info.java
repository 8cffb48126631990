/** The trainer command line (picocli, one class per command): train, export, evaluate, study, lifecycle commands, gRPC clients. */
package io.crossmodal.trainer.cli;
