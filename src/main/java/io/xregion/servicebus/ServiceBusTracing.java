package io.xregion.servicebus;

import java.time.OffsetDateTime;
import java.util.Map;

import com.azure.core.amqp.exception.AmqpException;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import org.apache.camel.CamelContext;

import io.xregion.tracing.Tracing;

/**
 * xregion's spans of the Service Bus hop, following the OpenTelemetry messaging conventions for Azure Service Bus:
 * a {@code send <entity>} span (PRODUCER) for every copy sent to a namespace, whose context travels in the message's
 * application properties as the Azure SDKs carry it, and a {@code process <entity>} span (CONSUMER) for every message
 * a namespace delivers, continuing that context.
 *
 * <p>Camel's tracer cannot make these: xregion's copies go to each namespace through the endpoints' producers directly
 * ({@link NamespaceSenders}), not through a route's {@code to}, so no Camel span sees a send; and camel-opentelemetry2
 * 4.17.0 gives every span the kind INTERNAL and no link. The receive route's own span (Camel's) becomes a child of the
 * process span, through the {@code traceparent} header the consumer sets.
 *
 * <p>Propagation, as azure-messaging-servicebus (7.17) writes and reads it: the sender puts the W3C
 * {@code traceparent} (and {@code tracestate} if any) in the application properties and the same value under
 * {@code Diagnostic-Id}, unless the message already carries a context of its own (then it is left alone); the
 * receiver reads {@code Diagnostic-Id}, else {@code traceparent}. The process span's parent is that context (a single
 * message, pushed to the app, as the SDK's own {@code ServiceBus.process} span) and it also links to it, as the
 * conventions ask of process spans.
 *
 * <p>No attribute holds a body, a connection string or a key. While tracing is off every method returns at once.
 */
final class ServiceBusTracing {

    static final String TRACEPARENT = "traceparent";
    static final String DIAGNOSTIC_ID = "Diagnostic-Id";

    static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
    static final AttributeKey<String> OPERATION_TYPE = AttributeKey.stringKey("messaging.operation.type");
    static final AttributeKey<String> OPERATION_NAME = AttributeKey.stringKey("messaging.operation.name");
    static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    static final AttributeKey<String> SUBSCRIPTION = AttributeKey.stringKey("messaging.destination.subscription.name");
    static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
    static final AttributeKey<Long> BATCH_COUNT = AttributeKey.longKey("messaging.batch.message_count");
    static final AttributeKey<Long> DELIVERY_COUNT = AttributeKey.longKey(
            "messaging.servicebus.message.delivery_count");
    static final AttributeKey<Long> ENQUEUED_TIME = AttributeKey.longKey("messaging.servicebus.message.enqueued_time");
    static final AttributeKey<String> DISPOSITION = AttributeKey.stringKey("messaging.servicebus.disposition_status");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    /** Which of xregion's namespaces (its name in xregion.servicebus.primary / secondary). */
    static final AttributeKey<String> NAMESPACE = AttributeKey.stringKey("xregion.servicebus.namespace");
    /** A send's outcome as the publish answer and {@code xregion.servicebus.sends} name it. */
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("xregion.servicebus.outcome");
    /** The copy was dropped: its MessageId was already processed (the other namespace's copy). */
    static final AttributeKey<Boolean> DUPLICATE = AttributeKey.booleanKey("xregion.servicebus.duplicate");
    static final AttributeKey<String> DEAD_LETTER_REASON = AttributeKey.stringKey(
            "xregion.servicebus.dead_letter_reason");

    static final ServiceBusTracing OFF = new ServiceBusTracing(null, null);

    private static final TextMapGetter<Map<String, Object>> APPLICATION_PROPERTIES = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, Object> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, Object> carrier, String key) {
            if (carrier == null) {
                return null;
            }
            // the SDK's order: Diagnostic-Id first
            Object value = TRACEPARENT.equals(key) && carrier.get(DIAGNOSTIC_ID) != null ? carrier.get(DIAGNOSTIC_ID)
                    : carrier.get(key);
            return value == null ? null : value.toString();
        }
    };

    private final Tracer tracer;
    private final TextMapPropagator propagator;

    private ServiceBusTracing(Tracer tracer, TextMapPropagator propagator) {
        this.tracer = tracer;
        this.propagator = propagator;
    }

    /** Spans to the app's OpenTelemetry while Camel traces ({@code camel.opentelemetry2.enabled}), else none. */
    static ServiceBusTracing of(CamelContext context) {
        Tracing tracing = context.getRegistry().lookupByNameAndType(Tracing.BEAN, Tracing.class);
        if (tracing == null || !tracing.enabled()) {
            return OFF;
        }
        OpenTelemetry openTelemetry = tracing.openTelemetry();
        return new ServiceBusTracing(openTelemetry.getTracer("io.xregion.servicebus"),
                openTelemetry.getPropagators().getTextMapPropagator());
    }

    boolean on() {
        return tracer != null;
    }

    /**
     * A copy (or, from the outbox, a batch) leaves for a namespace: a child of the span the calling thread is in
     * (the send route's, in Camel's trace of the publish).
     *
     * @param messageId the message's id, or null for a batch of {@code count} messages
     */
    Span startSend(String namespace, String host, String entity, String messageId, int count) {
        if (tracer == null) {
            return Span.getInvalid();
        }
        SpanBuilder span = messaging("send", entity, namespace, host).setSpanKind(SpanKind.PRODUCER)
                .setAttribute(OPERATION_TYPE, "send");
        if (messageId != null) {
            span.setAttribute(MESSAGE_ID, messageId);
        } else {
            span.setAttribute(BATCH_COUNT, (long) count);
        }
        return span.startSpan();
    }

    /** The send span's context into the message's application properties, unless it carries one already. */
    void inject(Span send, Map<String, Object> applicationProperties) {
        if (!send.getSpanContext().isValid() || applicationProperties.containsKey(TRACEPARENT)
                || applicationProperties.containsKey(DIAGNOSTIC_ID)) {
            return;
        }
        propagator.inject(Context.root().with(send), applicationProperties, (carrier, key, value) -> {
            carrier.put(key, value);
            if (TRACEPARENT.equals(key)) {
                carrier.put(DIAGNOSTIC_ID, value);
            }
        });
    }

    /** @param outcome accepted, unavailable, refused or skipped */
    void endSend(Span send, String outcome, Throwable failure) {
        if (!send.getSpanContext().isValid()) {
            return;
        }
        send.setAttribute(OUTCOME, outcome);
        if (failure != null) {
            send.setAttribute(ERROR_TYPE, errorType(failure));
            send.setStatus(StatusCode.ERROR, outcome);
        }
        send.end();
    }

    /**
     * A namespace delivered a message to this app server: a child of the context the message carries (the send span
     * of the copy, in the trace of its publish), linked to it too; a root span if it carries none.
     */
    Span startProcess(String namespace, String host, String entity, String subscription,
            ServiceBusReceivedMessage message) {
        if (tracer == null) {
            return Span.getInvalid();
        }
        SpanBuilder span = messaging("process", entity, namespace, host).setSpanKind(SpanKind.CONSUMER)
                .setAttribute(OPERATION_TYPE, "process");
        if (subscription != null && !subscription.isBlank()) {
            span.setAttribute(SUBSCRIPTION, subscription);
        }
        if (message.getMessageId() != null) {
            span.setAttribute(MESSAGE_ID, message.getMessageId());
        }
        if (message.getDeliveryCount() > 0) {
            span.setAttribute(DELIVERY_COUNT, message.getDeliveryCount());
        }
        OffsetDateTime enqueued = message.getEnqueuedTime();
        if (enqueued != null) {
            span.setAttribute(ENQUEUED_TIME, enqueued.toEpochSecond());
        }
        Context creation = propagator.extract(Context.root(), message.getApplicationProperties(),
                APPLICATION_PROPERTIES);
        SpanContext created = Span.fromContext(creation).getSpanContext();
        if (created.isValid()) {
            span.setParent(creation).addLink(created);
        } else {
            span.setNoParent();
        }
        return span.startSpan();
    }

    /** The span's context into Camel's headers, which Camel's route span continues (its parent). */
    void inject(Span process, org.apache.camel.Message message) {
        if (process.getSpanContext().isValid()) {
            // the message's own tracestate belongs to its creation context, not to this span
            message.removeHeader("tracestate");
            propagator.inject(Context.root().with(process), message, (carrier, key, value) -> carrier.setHeader(key,
                    value));
        }
    }

    /**
     * @param disposition complete, abandon or dead_letter (null in receive-and-delete mode)
     * @param duplicate   whether the copy was dropped as a duplicate
     */
    void endProcess(Span process, String disposition, boolean duplicate, Throwable failure, String deadLetterReason) {
        if (!process.getSpanContext().isValid()) {
            return;
        }
        process.setAttribute(DUPLICATE, duplicate);
        if (disposition != null) {
            process.setAttribute(DISPOSITION, disposition);
        }
        if (deadLetterReason != null) {
            process.setAttribute(DEAD_LETTER_REASON, deadLetterReason);
        }
        if (failure != null) {
            process.setAttribute(ERROR_TYPE, errorType(failure));
            process.setStatus(StatusCode.ERROR, disposition == null ? "failed" : disposition);
        }
        process.end();
    }

    private SpanBuilder messaging(String operation, String entity, String namespace, String host) {
        SpanBuilder span = tracer.spanBuilder(operation + " " + entity).setAttribute(SYSTEM, "servicebus")
                .setAttribute(OPERATION_NAME, operation).setAttribute(DESTINATION, entity)
                .setAttribute(NAMESPACE, namespace);
        if (host != null) {
            span.setAttribute(SERVER_ADDRESS, host);
        }
        return span;
    }

    /** The AMQP error condition where there is one (e.g. com.microsoft:server-busy), else the exception's class. */
    static String errorType(Throwable failure) {
        Throwable root = failure;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof AmqpException amqp && amqp.getErrorCondition() != null) {
                return amqp.getErrorCondition().getErrorCondition();
            }
            root = t;
            if (t.getCause() == t) {
                break;
            }
        }
        return root.getClass().getName();
    }
}
