package io.crossmodal.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import org.junit.jupiter.api.io.TempDir;

/** The CLI client's connection options (the TLS / token paths themselves run in TrainerTlsTokenTest / TrainerMutualTlsTest). */
class ClientChannelsTest {

    /** The client command's options as the command line gives them. */
    private static ClientChannels parse(String[] args) {
        ClientCommand command = new ClientCommand();
        new CommandLine(command).parseArgs(args);
        return command.connection.channels();
    }

    @Test
    void optionsAreRead(@TempDir Path dir) throws Exception {
        Path tokenFile = Files.writeString(dir.resolve("token"), "# mine\n\n  secret-token-0123456789  \n");
        ClientChannels c = parse(new String[] {"decode", "--target", "h:1", "--model", "m", "--input", "w", "--tls-ca", "ca.pem",
                "--tls-cert", "c.pem", "--tls-key", "c.key", "--token-file", tokenFile.toString()});
        assertEquals("secret-token-0123456789", c.token());
        assertTrue(c.usesTls());
        assertEquals(Path.of("ca.pem"), c.caFile());
        assertFalse(c.toString().contains("secret"), "toString never shows the token");
        ClientChannels plain = parse(new String[] {"decode", "--target", "h:1", "--model", "m", "--input", "w"});
        assertFalse(plain.usesTls());
        assertTrue(parse(new String[] {"decode", "--target", "h:1", "--model", "m", "--input", "w", "--tls"}).usesTls());
        if (System.getenv(ClientChannels.TOKEN_ENV) == null) {
            assertNull(plain.token());
        }
    }

    @Test
    void badCombinationsAreUsageErrors(@TempDir Path dir) throws Exception {
        Path hashed = Files.writeString(dir.resolve("tokens"), "sha256:" + "0".repeat(64) + "\n");
        assertThrows(IllegalArgumentException.class,
                () -> parse(new String[] {"decode", "--target", "h:1", "--model", "m", "--input", "w", "--token-file", hashed.toString()}));
        assertThrows(IllegalArgumentException.class,
                () -> parse(new String[] {"decode", "--target", "h:1", "--model", "m", "--input", "w", "--tls-cert", "c.pem"}));
        assertThrows(IllegalArgumentException.class, () -> parse(
                new String[] {"decode", "--target", "h:1", "--model", "m", "--input", "w", "--token", "a-token-0123456789", "--token-file", "f"}));
    }
}
