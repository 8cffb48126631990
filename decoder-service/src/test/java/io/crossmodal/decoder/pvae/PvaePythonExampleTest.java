package io.crossmodal.decoder.pvae;

import io.crossmodal.family.pvae.testing.PvaeRegistryResource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.family.pvae.testing.TinyPvae;
import io.crossmodal.serving.common.testing.PythonClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * clients/python/pvae_example.py against the Decoder under test: a WAV file and a PGM style reference
 * in, one cross-modal Decode call, a PNG of the generated 28x28 digit (scaled) out.
 */
@QuarkusTest
@WithTestResource(PvaeRegistryResource.class)
class PvaePythonExampleTest {

    @TestHTTPResource("/")
    URL base;

    @TempDir
    Path dir;

    @Test
    void wavInPngOut() throws Exception {
        PythonClient.requireGrpcio();
        Path wav = Files.write(dir.resolve("digit.wav"), TinyPvae.wav(TinyPvae.tone(8000, 0.6, 230), 8000));
        ByteArrayOutputStream pgm = new ByteArrayOutputStream();
        pgm.write("P5\n# style\n28 28\n255\n".getBytes(StandardCharsets.US_ASCII));
        for (float p : TinyPvae.image(8)) {
            pgm.write(Math.round(p * 255));
        }
        Path style = Files.write(dir.resolve("style.pgm"), pgm.toByteArray());
        Path png = dir.resolve("out.png");
        List<String> command = List.of(PythonClient.PYTHON.toString(),
                PythonClient.repoRoot().resolve("clients/python/pvae_example.py").toString(),
                "--decoder", base.getHost() + ":" + base.getPort(), "--model", "digits", "--wav", wav.toString(),
                "--style-pgm", style.toString(), "--out", png.toString(), "--scale", "3",
                "--generated", Path.of("target", "python-client").toAbsolutePath().toString());
        Path log = dir.resolve("log.txt");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "pvae_example.py did not finish");
        String output = Files.readString(log);
        System.out.println("pvae_example.py:\n" + output);
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.contains("28x28 image -> " + png), output);
        ByteBuffer header = ByteBuffer.wrap(Files.readAllBytes(png));
        assertEquals(0x89504E47, header.getInt(0), "PNG signature");
        assertEquals(84, header.getInt(16), "width 28 x scale 3");
        assertEquals(84, header.getInt(20), "height 28 x scale 3");
    }
}
