package io.crossmodal.decoder;

import io.crossmodal.serving.common.testing.EventsRegistryResource;
import io.crossmodal.serving.common.testing.LifecycleEventsContract;
import io.crossmodal.serving.common.testing.kafka.KafkaBrokerResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The Decoder consuming lifecycle events from a real (in-process) Kafka broker that is down when the service
 * starts (checks in {@link LifecycleEventsContract}).
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerResource.class, initArgs = @ResourceArg(name = "start", value = "later"))
@WithTestResource(EventsRegistryResource.class)
class DecoderLifecycleEventsTest extends LifecycleEventsContract {
    DecoderLifecycleEventsTest() {
        super(new DecoderSpec());
    }
}
