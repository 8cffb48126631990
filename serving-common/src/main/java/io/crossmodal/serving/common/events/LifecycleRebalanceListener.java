package io.crossmodal.serving.common.events;

import io.crossmodal.serving.common.ServedModels;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * The {@value LifecycleEvents#CHANNEL} consumer's rebalance listener ({@code
 * consumer-rebalance-listener.name=}{@value #NAME}): each time partitions are assigned (the consumer
 * reached the broker, or came back to it) every followed model is reconciled against the registry
 * ({@link ServedModels#reconcileSoon()}), so whatever moved while no events could arrive is picked up
 * at once rather than at the next poll. Gauge {@value #ASSIGNED}: partitions assigned now.
 *
 * <p>If the consumer has not reached the broker {@value #CONNECT_WARNING_SECONDS} s after startup, one
 * warning says so; the service serves on (the broker is not needed to serve) and keeps following the
 * registry by polling.
 */
@ApplicationScoped
@Identifier(LifecycleRebalanceListener.NAME)
public class LifecycleRebalanceListener implements KafkaConsumerRebalanceListener {

    public static final String NAME = "crossmodal-lifecycle";
    public static final String ASSIGNED = "crossmodal.lifecycle.consumer.partitions";

    public static final int CONNECT_WARNING_SECONDS = 15;

    private static final Logger LOG = Logger.getLogger(LifecycleRebalanceListener.class);

    private final ServedModels models;
    private final AtomicInteger assigned = new AtomicInteger();
    private final AtomicInteger assignments = new AtomicInteger();

    public LifecycleRebalanceListener(ServedModels models, MeterRegistry meters) {
        this.models = models;
        Gauge.builder(ASSIGNED, assigned, AtomicInteger::get)
                .description("partitions of the model-lifecycle topic assigned to this service's consumer")
                .register(meters);
    }

    void watch(@Observes StartupEvent event) {
        Config config = ConfigProvider.getConfig();
        if (!config.getOptionalValue("mp.messaging.incoming." + LifecycleEvents.CHANNEL + ".enabled", Boolean.class)
                .orElse(true)) {
            LOG.infof("lifecycle events are off (mp.messaging.incoming.%s.enabled=false): following the registry by "
                    + "polling only, every %s", LifecycleEvents.CHANNEL, models.reloadInterval());
            return;
        }
        String brokers = config.getOptionalValue("kafka.bootstrap.servers", String.class).orElse("?");
        CompletableFuture.delayedExecutor(CONNECT_WARNING_SECONDS, TimeUnit.SECONDS).execute(() -> {
            if (assignments.get() == 0) {
                LOG.warnf("the %s consumer has not reached the broker (%s) %d s after startup; the service serves on "
                        + "and follows the registry by polling every %s until events arrive", LifecycleEvents.CHANNEL,
                        brokers, CONNECT_WARNING_SECONDS, models.reloadInterval());
            }
        });
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        assigned.addAndGet(partitions.size());
        assignments.incrementAndGet();
        if (!partitions.isEmpty()) {
            LOG.infof("%s consumer assigned %s; reconciling the served models with the registry",
                    LifecycleEvents.CHANNEL, partitions);
            models.reconcileSoon();
        }
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        assigned.addAndGet(-partitions.size());
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        assigned.addAndGet(-partitions.size());
    }

    /** Partitions assigned to the consumer now (0 before it reached the broker). */
    public int assignedPartitions() {
        return Math.max(0, assigned.get());
    }

    /** How often partitions were assigned since startup. */
    public int assignments() {
        return assignments.get();
    }
}
