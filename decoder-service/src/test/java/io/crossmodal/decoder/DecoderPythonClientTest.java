package io.crossmodal.decoder;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.crossmodal.serving.common.testing.PythonClient;
import io.crossmodal.serving.common.testing.TinyRegistryResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The Decoder from Python: clients/python/client_test.py (grpcio, code generated from proto/ by
 * clients/python/generate.py) runs Decode (beam, greedy, seeded sampling), ModelInfo, error cases and
 * grpc.health.v1 Check against the service under test. Skipped only when /usr/bin/python3 has no grpc module; CI installs it
 * (apt-get install -y python3-grpcio python3-grpc-tools protobuf-compiler protobuf-compiler-grpc).
 */
@QuarkusTest
@WithTestResource(TinyRegistryResource.class)
class DecoderPythonClientTest {

    @TestHTTPResource("/")
    URL base;

    @Test
    void pythonClientChecksPass() throws Exception {
        // --target: the script finds the services of the server through grpc.health.v1, then checks them
        String output = PythonClient.check(Path.of("target", "python-client"), 180,
                "--target", base.getHost() + ":" + base.getPort(), "--model", "tiny");
        assertTrue(output.contains("ok   crossmodal.decoder.v1.Decoder Decode"), output);
        assertFalse(output.contains("crossmodal.encoder.v1"), "only the decoder is served here:\n" + output);
    }
}
