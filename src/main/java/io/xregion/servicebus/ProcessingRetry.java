package io.xregion.servicebus;

import java.time.Duration;

import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tries the processing of a received message again, with growing pauses, before the failure goes back to Service
 * Bus (which redelivers, then dead-letters after the entity's maximum delivery count), so a passing outage behind
 * the processing holds messages back instead of dead-lettering them within seconds. A message that can never be
 * processed ({@link UnprocessableMessageException}) is not tried again.
 *
 * <p>Each try gets its own copy of the message. Camel's redelivery cannot be used here: it keeps its count in a
 * message header, and processing routes that clear headers (the default broadcast does, so nothing internal reaches
 * Web PubSub) would reset it and retry for ever.
 */
public final class ProcessingRetry {

    private static final Logger LOG = LoggerFactory.getLogger("io.xregion.servicebus");
    /** The receive route's variable naming the namespace the copy came from. */
    private static final String NAMESPACE = "namespace";

    private final ProducerTemplate template;
    private final int maxRetries;
    private final Duration initialDelay;
    private final Duration maxDelay;
    private final ServiceBusCounters counters;

    /** @param counters where each try again is counted, by the namespace of the copy */
    public ProcessingRetry(ProducerTemplate template, int maxRetries, Duration initialDelay, Duration maxDelay,
            ServiceBusCounters counters) {
        this.template = template;
        this.maxRetries = maxRetries;
        this.initialDelay = initialDelay;
        this.maxDelay = maxDelay;
        this.counters = counters;
    }

    /** The pauses between the tries, all together: how much longer than its tries a failing message is held. */
    public Duration pauses() {
        Duration total = Duration.ZERO;
        Duration pause = initialDelay;
        for (int retry = 0; retry < maxRetries; retry++) {
            total = total.plus(pause);
            pause = next(pause);
        }
        return total;
    }

    /**
     * Sends a copy of the message to the processing endpoint the route names until one try succeeds; else throws the
     * last error.
     */
    public void process(Exchange exchange, String endpoint) throws Exception {
        Duration pause = initialDelay;
        for (int retry = 0;; retry++) {
            Exchange attempt = exchange.copy();
            template.send(endpoint, attempt);
            Exception error = attempt.getException();
            if (error == null) {
                return;
            }
            // the message's own fault does not pass: it is dead-lettered at once
            UnprocessableMessageException unprocessable = attempt.getException(UnprocessableMessageException.class);
            if (unprocessable != null) {
                throw unprocessable;
            }
            if (retry >= maxRetries || exchange.getContext().isStopping()) {
                throw error;
            }
            LOG.warn("Processing of message {} failed (try {} of {}): {}; trying again in {} ms",
                    exchange.getMessage().getHeader("CamelAzureServiceBusMessageId"), retry + 1, maxRetries + 1,
                    error.getMessage(), pause.toMillis());
            try {
                Thread.sleep(pause.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw error;
            }
            pause = next(pause);
            counters.retried(exchange.getVariable(NAMESPACE, "unknown", String.class));
        }
    }

    private Duration next(Duration pause) {
        return pause.multipliedBy(2).compareTo(maxDelay) > 0 ? maxDelay : pause.multipliedBy(2);
    }
}
