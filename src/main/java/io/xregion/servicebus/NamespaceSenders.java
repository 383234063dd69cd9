package io.xregion.servicebus;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.AsyncProducer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.support.service.ServiceHelper;

/**
 * Sends a copy of a message to one namespace, through that namespace's {@code azure-servicebus-<namespace>} endpoint
 * (whose producer records the outcome and keeps the namespace's sends under their own bound), without waiting: the
 * copy's outcome comes as a future. Shared by active and passive replication.
 */
public final class NamespaceSenders {

    private final CamelContext context;
    private final String entity;
    private final Map<String, AsyncProducer> producers = new ConcurrentHashMap<>();

    /** @param entity the entity part of the endpoint URI, e.g. {@code events?serviceBusType=topic} */
    public NamespaceSenders(CamelContext context, String entity) {
        this.context = context;
        this.entity = entity;
    }

    /**
     * Starts sending a copy of the message to the namespace. The copy shares the message's {@link SendOutcomes};
     * the future completes with the copy once the namespace answered (or the send failed; then the copy holds the
     * exception: {@link NamespaceUnavailableException} or {@link SendRefusedException}).
     */
    public CompletableFuture<Exchange> send(String namespace, Exchange message) {
        SendOutcomes.of(message);
        Exchange copy = message.copy();
        CompletableFuture<Exchange> done = new CompletableFuture<>();
        try {
            producer(namespace).process(copy, doneSync -> done.complete(copy));
        } catch (RuntimeException e) {
            copy.setException(e);
            done.complete(copy);
        }
        return done;
    }

    private AsyncProducer producer(String namespace) {
        return producers.computeIfAbsent(namespace, name -> {
            try {
                AsyncProducer producer = context.getEndpoint("azure-servicebus-" + name + ":" + entity)
                        .createAsyncProducer();
                // stopped with the context
                context.addService(producer, true, true);
                ServiceHelper.startService(producer);
                return producer;
            } catch (Exception e) {
                throw new IllegalStateException("the sender of Service Bus namespace '" + name + "' did not start",
                        e);
            }
        });
    }
}
