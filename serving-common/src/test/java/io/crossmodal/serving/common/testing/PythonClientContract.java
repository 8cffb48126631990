package io.crossmodal.serving.common.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import java.net.URL;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * An inference service from Python: clients/python/client_test.py (grpcio, code generated from proto/ by
 * clients/python/generate.py) finds the server's services through grpc.health.v1 and runs inference, ModelInfo,
 * error cases and the health Check against it. Never skips ({@link PythonClient}). Each service's
 * {@code @QuarkusTest @WithTestResource(TinyRegistryResource.class)} subclass passes its {@link ServiceSpec}.
 */
public abstract class PythonClientContract {

    @TestHTTPResource("/")
    URL base;

    private final ServiceSpec spec;

    protected PythonClientContract(ServiceSpec spec) {
        this.spec = spec;
    }

    @Test
    void pythonClientChecksPass() throws Exception {
        String output = PythonClient.check(Path.of("target", "python-client"), 180,
                "--target", base.getHost() + ":" + base.getPort(), "--model", "tiny");
        assertTrue(output.contains("ok   " + spec.service() + " " + spec.method()), output);
        String other = spec.otherService().substring(0, spec.otherService().lastIndexOf('.'));
        assertFalse(output.contains(other), "only " + spec.service() + " is served here:\n" + output);
    }
}
