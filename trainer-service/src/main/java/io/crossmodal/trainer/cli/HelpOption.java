package io.crossmodal.trainer.cli;

import picocli.CommandLine.Option;

/** {@code -h}/{@code --help} on every command (no {@code --version}: {@code --version} is a model version here). */
public final class HelpOption {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;
}
