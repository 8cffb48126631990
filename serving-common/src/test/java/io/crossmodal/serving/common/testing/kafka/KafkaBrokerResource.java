package io.crossmodal.serving.common.testing.kafka;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Starts an {@link EmbeddedKafka} (in-process KRaft broker) before the application and points the
 * application's Kafka clients at it ({@code kafka.bootstrap.servers}); creates the topic {@value #TOPIC}.
 * Tests reach the broker through {@link #broker()} to publish, or to stop and restart it (a broker
 * outage). Shared by the services' and the trainer's lifecycle-event tests through serving-common's
 * test-jar; add it with {@code @WithTestResource(KafkaBrokerResource.class)}. With the init argument
 * {@code start=later} the broker's address is configured but the broker is not started: the application
 * starts with the broker unreachable, and the test starts it ({@code broker().start()}, then
 * {@code createTopic(TOPIC)}).
 */
public class KafkaBrokerResource implements QuarkusTestResourceLifecycleManager {

    public static final String TOPIC = "model-lifecycle";

    private static volatile EmbeddedKafka broker;
    private boolean startNow = true;

    @Override
    public void init(Map<String, String> initArgs) {
        startNow = !"later".equals(initArgs.get("start"));
    }

    /** The broker of the running test. */
    public static EmbeddedKafka broker() {
        return broker;
    }

    @Override
    public Map<String, String> start() {
        EmbeddedKafka kafka = new EmbeddedKafka();
        if (startNow) {
            long t0 = System.nanoTime();
            kafka.start();
            kafka.createTopic(TOPIC);
            System.out.printf("KafkaBrokerResource: KRaft broker at %s up in %d ms%n", kafka.bootstrapServers(),
                    (System.nanoTime() - t0) / 1_000_000);
        }
        broker = kafka;
        return Map.of(
                "kafka.bootstrap.servers", kafka.bootstrapServers(),
                // the in-process broker logs through the application's log manager: keep it quiet
                "quarkus.log.category.\"kafka\".level", "WARN",
                "quarkus.log.category.\"org.apache.kafka\".level", "WARN",
                "quarkus.log.category.\"state.change.logger\".level", "WARN");
    }

    @Override
    public void stop() {
        EmbeddedKafka kafka = broker;
        broker = null;
        if (kafka != null) {
            kafka.close();
        }
    }
}
