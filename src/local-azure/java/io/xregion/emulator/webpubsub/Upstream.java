package io.xregion.emulator.webpubsub;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import io.xregion.emulator.security.AccessKeyTokens;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls the configured event handler the way the service does: CloudEvents in binary mode, signed with
 * {@code ce-signature}, after the abuse-protection {@code OPTIONS} handshake has allowed this instance's origin.
 */
final class Upstream {

    private static final Logger LOG = LoggerFactory.getLogger(Upstream.class);
    /** The validation scope of a handler URL without {@code {hub}}: one check covers every hub. */
    private static final String ALL_HUBS = "";

    /** What the event handler answered. */
    record Response(int status, String contentType, Buffer body, String connectionState) {
        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    private final String urlTemplate;
    private final AccessKeyTokens signatures;
    private final AccessKeyTokens secondarySignatures;
    /** This instance's own host:port, which the handler must allow. */
    private final Supplier<String> origin;
    private final java.util.List<String> originAliases;
    private final long timeoutMillis;
    private final HttpClient http;
    private final Set<String> validatedHubs = new HashSet<>();
    private final AtomicLong eventIds = new AtomicLong();

    Upstream(Vertx vertx, String urlTemplate, EmulatorOptions options, Supplier<String> origin) {
        this.urlTemplate = urlTemplate;
        this.signatures = new AccessKeyTokens(options.accessKey());
        this.secondarySignatures = new AccessKeyTokens(options.secondaryAccessKey());
        this.origin = origin;
        this.originAliases = options.originAliases();
        this.timeoutMillis = options.eventTimeout().toMillis();
        this.http = urlTemplate == null ? null : vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true));
    }

    boolean configured() {
        return urlTemplate != null;
    }

    /**
     * Abuse protection at start, as the service validates a handler when it is configured: a URL without
     * {@code {hub}} serves every hub and is validated now, retried every second until the handler allows us (the
     * app that serves it may still be starting). A URL per hub is validated when the hub is first used, since the
     * emulator creates hubs on demand.
     */
    void validateAtStart(Vertx vertx, java.util.function.BooleanSupplier stillUp) {
        if (!configured() || urlTemplate.contains("{hub}")) {
            return;
        }
        long firstTry = System.nanoTime();
        vertx.setPeriodic(1, 1000, timer -> {
            if (!stillUp.getAsBoolean() || validatedHubs.contains(ALL_HUBS)) {
                vertx.cancelTimer(timer);
                return;
            }
            validate(ALL_HUBS).onFailure(e -> {
                boolean longWait = System.nanoTime() - firstTry > java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
                if (longWait) {
                    LOG.warn("Event handler not validated yet: {}", e.getMessage());
                } else {
                    LOG.debug("Event handler not validated yet: {}", e.getMessage());
                }
            });
        });
    }

    /** Abuse protection: the handler must answer OPTIONS with WebHook-Allowed-Origin naming us (or *). */
    Future<Void> ensureValidated(String hub) {
        String scope = urlTemplate.contains("{hub}") ? hub : ALL_HUBS;
        if (validatedHubs.contains(scope)) {
            return Future.succeededFuture();
        }
        return validate(scope).onFailure(e -> LOG.warn("Event handler of hub {} not validated: {}", hub,
                e.getMessage()));
    }

    private Future<Void> validate(String scope) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.OPTIONS)
                .setAbsoluteURI(url(scope, "validate")).setIdleTimeout(timeoutMillis)
                .putHeader("WebHook-Request-Origin", requestOrigins());
        return http.request(options).compose(request -> request.send())
                .compose(response -> response.body().map(body -> {
                    String allowed = response.getHeader("WebHook-Allowed-Origin");
                    boolean ok = response.statusCode() / 100 == 2 && allowed != null && allows(allowed);
                    if (!ok) {
                        throw new IllegalStateException("abuse protection refused: status " + response.statusCode()
                                + ", WebHook-Allowed-Origin " + allowed);
                    }
                    validatedHubs.add(scope);
                    return (Void) null;
                }));
    }

    Future<Response> connect(ClientConnection pending, Buffer body) {
        return send(pending, "azure.webpubsub.sys.connect", "connect", "application/json", body);
    }

    void connected(ClientConnection connection) {
        send(connection, "azure.webpubsub.sys.connected", "connected", "application/json", Buffer.buffer("{}"))
                .onFailure(e -> LOG.debug("connected event failed: {}", e.getMessage()));
    }

    void disconnected(ClientConnection connection, String reason) {
        String body = Frames.write(Frames.JSON.createObjectNode().put("reason", reason));
        send(connection, "azure.webpubsub.sys.disconnected", "disconnected", "application/json", Buffer.buffer(body))
                .onFailure(e -> LOG.debug("disconnected event failed: {}", e.getMessage()));
    }

    Future<Response> userEvent(ClientConnection connection, String event, Payload payload) {
        return send(connection, "azure.webpubsub.user." + event, event, payload.type().contentType,
                Buffer.buffer(payload.data()));
    }

    private Future<Response> send(ClientConnection connection, String type, String event, String contentType,
            Buffer body) {
        String hub = connection.hub.name;
        return ensureValidated(hub).compose(v -> {
            RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
                    .setAbsoluteURI(url(hub, event)).setIdleTimeout(timeoutMillis);
            MultiMap headers = options.getHeaders() == null ? MultiMap.caseInsensitiveMultiMap() : options.getHeaders();
            headers.add("Content-Type", contentType)
                    .add("ce-specversion", "1.0")
                    .add("ce-id", Long.toString(eventIds.getAndIncrement()))
                    .add("ce-source", "/hubs/" + hub + "/client/" + connection.id)
                    .add("ce-time", Instant.now().toString())
                    .add("ce-type", type)
                    .add("ce-hub", hub)
                    .add("ce-connectionId", connection.id)
                    .add("ce-eventName", event)
                    .add("ce-awpsversion", "1.0")
                    // both keys sign, so a handler keeps verifying while either key is regenerated
                    .add("ce-signature", "sha256=" + signatures.hexSignature(connection.id) + ",sha256="
                            + secondarySignatures.hexSignature(connection.id))
                    .add("WebHook-Request-Origin", requestOrigins());
            if (connection.userId != null) {
                headers.add("ce-userId", connection.userId);
            }
            if (connection.subprotocol != null) {
                headers.add("ce-subprotocol", connection.subprotocol);
            }
            if (connection.connectionState != null) {
                headers.add("ce-connectionState", connection.connectionState);
            }
            options.setHeaders(headers);
            return http.request(options).compose(request -> request.send(body))
                    .compose(response -> response.body().map(responseBody -> new Response(response.statusCode(),
                            response.getHeader("Content-Type"), responseBody,
                            response.getHeader("ce-connectionState"))));
        });
    }

    /** Our own name first, then the aliases, separated by a comma and a space, as the service writes them. */
    private String requestOrigins() {
        return originAliases.isEmpty() ? origin.get() : origin.get() + ", " + String.join(", ", originAliases);
    }

    /** The handler allowed us when its answer is * or names our own host:port among the origins it lists. */
    private boolean allows(String allowed) {
        for (String name : allowed.split(",")) {
            if (name.trim().equals("*") || name.trim().equalsIgnoreCase(origin.get())) {
                return true;
            }
        }
        return false;
    }

    private String url(String hub, String event) {
        return urlTemplate.replace("{hub}", hub).replace("{event}", event);
    }

    void close() {
        if (http != null) {
            http.close();
        }
    }
}
