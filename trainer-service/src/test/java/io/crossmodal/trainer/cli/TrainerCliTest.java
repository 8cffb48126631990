package io.crossmodal.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.ParseResult;

/**
 * The command line's surface: every command has --help, unknown commands and options are usage errors (exit 2)
 * that say what was wrong, and the command lines that the README, the scripts and the Kubernetes manifests use
 * parse into the command and option values they mean (running them is the job of PromotionFlowTest,
 * JobConfigTest and the system tests).
 */
class TrainerCliTest {

    static CliRun cli(String... args) {
        return CliRun.of(args);
    }

    private static final List<String> COMMANDS = List.of("train", "export", "evaluate", "study", "client", "promote",
            "rollback", "gc", "history", "lineage", "pvae-train", "pvae-study");

    @Test
    void everyCommandIsListedAndHasHelp() {
        CliRun top = cli("--help");
        assertEquals(0, top.exit(), top.err());
        for (String c : COMMANDS) {
            assertTrue(top.out().contains(c), c + " listed in:\n" + top.out());
            CliRun help = cli(c, "--help");
            assertEquals(0, help.exit(), c + ": " + help.err());
            assertTrue(help.out().startsWith("Usage: crossmodal-trainer " + c), help.out());
            assertTrue(help.out().contains("--help"), help.out());
        }
        assertTrue(cli("promote", "-h").out().contains("--gate=GATE.json"));
        assertTrue(cli("client", "--help").out().contains("--tls-ca=CA.pem"));
    }

    @Test
    void noCommandUnknownCommandAndUnknownOptionAreUsageErrors() {
        CliRun none = cli();
        assertEquals(2, none.exit());
        assertTrue(none.err().contains("Usage: crossmodal-trainer"), none.err());

        CliRun fly = cli("fly");
        assertEquals(2, fly.exit());
        assertTrue(fly.err().contains("error: unknown command 'fly'"), fly.err());

        CliRun typo = cli("history", "--model", "m", "--registy", "/tmp/x");
        assertEquals(2, typo.exit());
        assertTrue(typo.err().contains("error: Unknown options: '--registy'"), typo.err());
        assertTrue(typo.err().contains("--registry"), "suggests the option meant: " + typo.err());

        CliRun noValue = cli("gc", "--model", "m", "--keep-latest");
        assertEquals(2, noValue.exit());
        assertTrue(noValue.err().contains("--keep-latest"), noValue.err());

        CliRun notANumber = cli("gc", "--model", "m", "--keep-latest", "two");
        assertEquals(2, notANumber.exit());
        assertTrue(notANumber.err().contains("'two' is not an int"), notANumber.err());

        CliRun mode = cli("client", "translate", "--target", "h:1", "--model", "m", "--input", "w");
        assertEquals(2, mode.exit());
        assertTrue(mode.err().contains("expected one of [decode, encode]"), mode.err());

        CliRun lexicon = cli("client", "decode", "--target", "h:1", "--model", "m", "--input", "w", "--lexicon", "both");
        assertEquals(2, lexicon.exit());
        assertTrue(lexicon.err().contains("Invalid value for option '--lexicon'")
                && lexicon.err().contains("expected one of [first, model, lexicon]"), lexicon.err());

        CliRun missing = cli("promote", "--model", "m");
        assertEquals(2, missing.exit());
        assertTrue(missing.err().contains("Missing required option: '--gate=GATE.json'"), missing.err());

        CliRun modelWithoutRegistry = cli("pvae-train", "--config", "configs/pvae-quick.json", "--model", "digits");
        assertEquals(2, modelWithoutRegistry.exit());
        assertTrue(modelWithoutRegistry.err().contains("--registry"), modelWithoutRegistry.err());
    }

    private static ParseResult parse(String... args) {
        return TrainerCli.commandLine().parseArgs(args).subcommand();
    }

    private static String value(ParseResult r, String option) {
        return String.valueOf((Object) r.matchedOptionValue(option, null));
    }

    @Test
    void documentedCommandLinesParse() {
        // k8s/base trainer-job.yaml and trainer-cronjob.yaml (run for real by the system tests)
        assertEquals("/etc/crossmodal/job/job.json", value(parse("train", "--config", "/etc/crossmodal/job/job.json"), "--config"));
        ParseResult promote = parse("promote", "--model", "cmudict", "--candidate", "candidate", "--gate",
                "/etc/crossmodal/gate/gate.json");
        assertEquals("candidate", value(promote, "--candidate"));
        assertEquals("/etc/crossmodal/gate/gate.json", value(promote, "--gate"));
        // README, scripts/quickstart.sh, scripts/promotion-check.sh, docs/SECURITY.md
        assertEquals("configs/quickstart.json", value(parse("export", "--config", "configs/quickstart.json"), "--config"));
        ParseResult evaluate = parse("evaluate", "--model", "quickstart", "--version", "latest", "--component", "p2g",
                "--split", "test");
        assertEquals("p2g", value(evaluate, "--component"));
        ParseResult decode = parse("client", "decode", "--target", "localhost:9102", "--model", "quickstart", "--input",
                "phoneme", "--beam", "4", "--nbest", "3");
        assertEquals("decode", String.valueOf((Object) decode.matchedPositionalValue(0, null)));
        assertEquals("4", value(decode, "--beam"));
        assertEquals("@home", value(parse("client", "decode", "--target", "h:1", "--model", "m", "--input", "@home"), "--input"),
                "an argument starting with '@' is a value, not a file to expand");
        ParseResult encode = parse("client", "encode", "--target", "localhost:9101", "--model", "quickstart", "--input",
                "F OW N IY M", "--tls-ca", "ca.pem", "--tls-cert", "client.pem", "--tls-key", "client.key", "--token-file", "t");
        assertEquals("F OW N IY M", value(encode, "--input"));
        // README, docs/LEXICON.md: --lexicon sets the request's LexiconMode; unset = the model's default
        for (ClientCommand.Lexicon l : ClientCommand.Lexicon.values()) {
            ClientCommand c = new ClientCommand();
            new picocli.CommandLine(c).parseArgs("decode", "--target", "h:1", "--model", "m", "--input", "w", "--lexicon", l.name());
            assertEquals("LEXICON_MODE_" + l.name().toUpperCase(java.util.Locale.ROOT), c.lexiconMode().name());
        }
        ClientCommand unset = new ClientCommand();
        new picocli.CommandLine(unset).parseArgs("encode", "--target", "h:1", "--model", "m", "--input", "F OW");
        assertEquals(io.crossmodal.proto.common.v1.LexiconMode.LEXICON_MODE_UNSPECIFIED, unset.lexiconMode());
        assertEquals("t", value(encode, "--token-file"));
        assertTrue(parse("client", "decode", "--target", "h:1", "--model", "m", "--input", "w", "--tls", "--token", "x")
                .hasMatchedOption("--tls"));
        assertEquals("ci", value(parse("promote", "--registry", "reg", "--model", "m", "--candidate", "2", "--gate",
                "configs/gate.json", "--actor", "ci"), "--actor"));
        assertEquals("canary errors", value(parse("rollback", "--model", "quickstart", "--reason", "canary errors",
                "--registry", "reg", "--actor", "me"), "--reason"));
        ParseResult gc = parse("gc", "--registry", "reg", "--model", "m", "--keep-latest", "2", "--dry-run",
                "--prune-rollback-targets");
        assertTrue(gc.hasMatchedOption("--dry-run") && gc.hasMatchedOption("--prune-rollback-targets"));
        assertEquals("quickstart", value(parse("history", "--model", "quickstart", "--registry", "reg"), "--model"));
        assertEquals("production", value(parse("lineage", "--model", "m", "--version", "production", "--registry", "r"),
                "--version"));
        ParseResult study = parse("study", "--config", "configs/study-v2.json", "--only", "p100-nc-generative-s1",
                "--dry-run", "--report-only");
        assertEquals("p100-nc-generative-s1", value(study, "--only"));
        ParseResult pvae = parse("pvae-train", "--config", "configs/pvae-quick.json", "--registry", "registry", "--model",
                "digits", "--speech-dir", "/data/fsdd");
        assertEquals("digits", value(pvae, "--model"));
        assertEquals("/data/fsdd", value(pvae, "--speech-dir"));
        assertEquals("configs/pvae-study.json", value(parse("pvae-study", "--config", "configs/pvae-study.json",
                "--speech-dir", "d"), "--config"));
    }
}
