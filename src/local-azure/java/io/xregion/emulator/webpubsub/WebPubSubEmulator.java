package io.xregion.emulator.webpubsub;

import java.net.URI;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.impl.VertxBuilder;
import io.vertx.core.net.PfxOptions;
import io.vertx.core.impl.VertxThread;
import io.vertx.core.spi.VertxThreadFactory;
import io.vertx.core.net.impl.ConnectionBase;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One local Azure Web PubSub instance: a real HTTP and WebSocket server on a loopback port that speaks the service's
 * REST API, client protocols and event-handler protocol closely enough for the official SDKs to work against it.
 *
 * <p>Fault switches drive failover drills: {@link #unhealthy()} makes {@code /api/health} answer 503 while everything
 * else keeps serving, {@link #down()} closes the listener and drops every connection and all state (as a lost
 * region would), {@link #partition()} leaves every connection hanging (nothing answers, nothing is closed, new
 * connections are accepted and never answered, as a region cut off the network is usually lost), and {@link #up()}
 * listens again on the same port or heals the partition.
 *
 * <p>Each emulator runs on its own single Vert.x event loop, so its state needs no locks; the public methods hop onto
 * that loop and wait for it.
 */
public final class WebPubSubEmulator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WebPubSubEmulator.class);
    private static final long SWITCH_TIMEOUT_SECONDS = 10;
    /** An emulator must never keep a JVM alive on its own, e.g. after the app around it failed to start. */
    private static final VertxThreadFactory DAEMON_THREADS = new VertxThreadFactory() {
        @Override
        public VertxThread newVertxThread(Runnable target, String name, boolean worker, long maxExecTime,
                TimeUnit maxExecTimeUnit) {
            VertxThread thread = new VertxThread(target, name, worker, maxExecTime, maxExecTimeUnit);
            thread.setDaemon(true);
            return thread;
        }
    };

    /** What the instance is doing now. */
    public enum Health {
        UP, UNHEALTHY, PARTITIONED, DOWN
    }

    private final EmulatorOptions options;
    private final Vertx vertx;
    private final Context context;
    private final Map<String, Hub> hubs = new HashMap<>();
    private final Set<HttpConnection> connections = new HashSet<>();
    private final Upstream upstream;
    private final RestApi rest;
    private final ClientEndpoint clients;
    private final AtomicInteger healthFailuresLeft = new AtomicInteger();
    private final AtomicLong healthChecks = new AtomicLong();
    private final ConcurrentMap<String, AtomicLong> groupCloses = new ConcurrentHashMap<>();
    private final AtomicLong generatedTokens = new AtomicLong();
    private final NetworkPartition partition = new NetworkPartition();
    private HttpServer server;
    private volatile int port;
    private volatile Health health = Health.DOWN;

    private WebPubSubEmulator(EmulatorOptions options, Clock clock) {
        this.options = options;
        this.vertx = new VertxBuilder(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1)).threadFactory(DAEMON_THREADS).findTransport(partition.transport())
                .init().vertx();
        this.context = vertx.getOrCreateContext();
        this.port = options.port();
        this.upstream = new Upstream(vertx, options.eventHandlerUrl(), options, () -> options.host() + ":" + port);
        this.rest = new RestApi(this, options, clock);
        this.clients = new ClientEndpoint(this, options, upstream, clock);
    }

    /** Starts an instance and waits until it listens. */
    public static WebPubSubEmulator start(EmulatorOptions options) {
        return start(options, Clock.systemUTC());
    }

    static WebPubSubEmulator start(EmulatorOptions options, Clock clock) {
        WebPubSubEmulator emulator = new WebPubSubEmulator(options, clock);
        try {
            emulator.up();
        } catch (RuntimeException e) {
            emulator.vertx.close();
            throw e;
        }
        return emulator;
    }

    public String name() {
        return options.name();
    }

    public int port() {
        return port;
    }

    public Health health() {
        return health;
    }

    /** {@code http://host:port} ({@code https} with TLS), the endpoint of this instance's connection string. */
    public URI endpoint() {
        return URI.create(scheme() + "://" + options.host() + ":" + port);
    }

    /** The connection string an app (or an SDK) uses for this instance, key included: do not log it. */
    public String connectionString() {
        return "Endpoint=" + scheme() + "://" + options.host() + ";Port=" + port + ";AccessKey="
                + options.accessKey() + ";Version=1.0;";
    }

    private String scheme() {
        return options.tls() == null ? "http" : "https";
    }

    /**
     * Listens (again) on the instance's port; state starts empty after a {@link #down()}. After a
     * {@link #partition()}, every connection the partition held is reset and its client connection is gone, as
     * {@link #heal()} says.
     */
    public void up() {
        onLoop(() -> {
            if (server != null) {
                if (partition.active()) {
                    heal();
                }
                health = Health.UP;
                return CompletableFuture.completedFuture(null);
            }
            HttpServerOptions serverOptions = new HttpServerOptions()
                    .setWebSocketSubProtocols(ClientProtocol.SUBPROTOCOLS)
                    .setMaxWebSocketMessageSize(options.maxMessageBytes())
                    .setMaxWebSocketFrameSize(options.maxMessageBytes())
                    .setReuseAddress(true);
            if (options.tls() != null) {
                serverOptions.setSsl(true).setKeyCertOptions(new PfxOptions()
                        .setPath(options.tls().keyStore().toString()).setPassword(options.tls().password()));
            }
            HttpServer created = vertx.createHttpServer(serverOptions);
            created.connectionHandler(connection -> {
                connections.add(connection);
                connection.closeHandler(v -> connections.remove(connection));
            });
            created.webSocketHandler(clients::handshake);
            created.requestHandler(rest::handle);
            CompletableFuture<Void> listening = new CompletableFuture<>();
            created.listen(port, options.host()).onComplete(result -> {
                if (result.succeeded()) {
                    server = created;
                    port = created.actualPort();
                    health = Health.UP;
                    LOG.info("Web PubSub emulator '{}' listening on {}", options.name(), endpoint());
                    upstream.validateAtStart(vertx, () -> server == created);
                    listening.complete(null);
                } else {
                    listening.completeExceptionally(result.cause());
                }
            });
            return listening;
        });
    }

    /** /api/health answers 503; REST and clients keep working. */
    public void unhealthy() {
        onLoop(() -> {
            if (server == null) {
                throw new IllegalStateException("the instance is down; bring it up first");
            }
            if (partition.active()) {
                throw new IllegalStateException("the instance is partitioned; heal it with up first");
            }
            health = Health.UNHEALTHY;
            return CompletableFuture.completedFuture(null);
        });
    }

    /**
     * The instance is cut off the network without a goodbye: every open connection (client WebSockets, REST
     * keep-alive connections, health probes) goes silent, with nothing sent to the peer and nothing read from it,
     * no close frame, no FIN, no RST; new connections are accepted and never answered (no TLS handshake, no HTTP
     * response, no WebSocket upgrade). State is kept; {@link #up()} heals. Partitioning twice changes nothing.
     */
    public void partition() {
        onLoop(() -> {
            if (server == null) {
                throw new IllegalStateException("the instance is down; bring it up first");
            }
            if (!partition.active()) {
                partition.start();
                health = Health.PARTITIONED;
                LOG.info("Web PubSub emulator '{}' is partitioned: {} connections silenced", options.name(),
                        partition.silencedConnections());
            }
            return CompletableFuture.completedFuture(null);
        });
    }

    /** How many TCP connections a partition holds silent now (0 when not partitioned). */
    public int silencedConnections() {
        return partition.silencedConnections();
    }

    /** How many writes (frames, responses) partitions have dropped on their way to a peer, since the start. */
    public long droppedWrites() {
        return partition.droppedWrites();
    }

    /** The next {@code count} health checks answer 503, later ones 200 again: a blip, not an outage. */
    public void failHealthChecks(int count) {
        healthFailuresLeft.set(count);
    }

    /** How many close-group calls this instance has taken for a group (any hub), members or not. */
    public long groupCloses(String group) {
        AtomicLong count = groupCloses.get(group);
        return count == null ? 0 : count.get();
    }

    void countGroupClose(String group) {
        groupCloses.computeIfAbsent(group, g -> new AtomicLong()).incrementAndGet();
    }

    /** How many {@code :generateToken} calls this instance has answered (accepted ones, refused input included). */
    public long generatedTokens() {
        return generatedTokens.get();
    }

    void tokenGenerated() {
        generatedTokens.incrementAndGet();
    }

    /** How many health checks this instance has answered, either way. */
    public long healthChecks() {
        return healthChecks.get();
    }

    /** The status a health check gets now: 200 while up, 503 while unhealthy or during a blip. */
    int healthCheckStatus() {
        healthChecks.incrementAndGet();
        boolean blip = healthFailuresLeft.getAndUpdate(left -> Math.max(0, left - 1)) > 0;
        return health == Health.UP && !blip ? 200 : 503;
    }

    /** Closes the listener and every connection; all hubs, groups and recoverable connections are lost. */
    public void down() {
        onLoop(() -> {
            health = Health.DOWN;
            partition.release();
            for (Hub hub : hubs.values()) {
                for (ClientConnection connection : hub.connections()) {
                    connection.disposed = true;
                    if (connection.recoveryTimer >= 0) {
                        vertx.cancelTimer(connection.recoveryTimer);
                    }
                }
            }
            hubs.clear();
            for (HttpConnection connection : Set.copyOf(connections)) {
                drop(connection);
            }
            if (server == null) {
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> closed = new CompletableFuture<>();
            HttpServer closing = server;
            server = null;
            closing.close().onComplete(result -> {
                LOG.info("Web PubSub emulator '{}' is down", options.name());
                closed.complete(null);
            });
            return closed;
        });
    }

    /** How many client connections the instance holds in a hub (recoverable ones included). */
    public int connectionCount(String hub) {
        return onLoop(() -> {
            Hub h = hubs.get(hub.toLowerCase(Locale.ROOT));
            return CompletableFuture.completedFuture(h == null ? 0 : h.size());
        });
    }

    /** How many client connections each hub holds now, by lower-case hub name; hubs without any are left out. */
    public Map<String, Integer> connectionCounts() {
        return onLoop(() -> {
            Map<String, Integer> counts = new TreeMap<>();
            hubs.forEach((name, hub) -> {
                if (hub.size() > 0) {
                    counts.put(name, hub.size());
                }
            });
            return CompletableFuture.completedFuture(counts);
        });
    }

    /** The ids of a group's member connections in a hub. */
    public List<String> groupMembers(String hub, String group) {
        return onLoop(() -> {
            Hub h = hubs.get(hub.toLowerCase(Locale.ROOT));
            return CompletableFuture.completedFuture(h == null ? List.of()
                    : h.groupMembers(group).stream().map(c -> c.id).toList());
        });
    }

    @Override
    public void close() {
        try {
            down();
        } finally {
            upstream.close();
            vertx.close().toCompletionStage().toCompletableFuture().orTimeout(SWITCH_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    .exceptionally(e -> null).join();
        }
    }

    // ---- used by the REST API and the client endpoint, on the event loop

    Vertx vertx() {
        return vertx;
    }

    Hub hub(String name) {
        return hubs.computeIfAbsent(name.toLowerCase(Locale.ROOT), Hub::new);
    }

    Hub existingHub(String name) {
        return hubs.get(name.toLowerCase(Locale.ROOT));
    }

    void deliver(ClientConnection connection, Payload payload, String group, String fromUserId) {
        if (!connection.deliver(payload, group, fromUserId)) {
            clients.dispose(connection, "The connection fell too far behind", (short) 1008, false);
        }
    }

    void closeConnection(ClientConnection connection, String reason) {
        clients.dispose(connection, reason, (short) 1000, true);
    }

    // ---- plumbing

    /**
     * Ends a partition on the event loop. A partition long enough to notice outlasts the service's keep-alive and
     * the reliable protocol's recovery window, so the service has given up on every connection it held: each client
     * connection is disposed (the event handler hears disconnected; a reliable client's recovery is refused), and
     * each silenced TCP connection is reset, as a server that forgot a connection answers the peer's next packet.
     * Resetting at once rather than on the peer's next packet spares a client that never sends (no keep-alive) a
     * connection that would otherwise hang for ever.
     */
    private void heal() {
        for (Hub hub : List.copyOf(hubs.values())) {
            for (ClientConnection connection : List.copyOf(hub.connections())) {
                clients.dispose(connection, "The connection was lost in a network partition", (short) 1001, false);
            }
        }
        int reset = partition.silencedConnections();
        partition.heal();
        LOG.info("Web PubSub emulator '{}': partition healed, {} connections reset", options.name(), reset);
    }

    /**
     * Closes the TCP connection without a WebSocket close frame, as a crashed region would. Vert.x turns every close
     * that passes its handler into a clean WebSocket 1000, so the close starts below it, at the pipeline's head end.
     */
    private static void drop(HttpConnection connection) {
        if (connection instanceof ConnectionBase base && base.channel().pipeline().firstContext() != null) {
            base.channel().pipeline().firstContext().close();
        } else {
            connection.close();
        }
    }

    private <T> T onLoop(Supplier<CompletableFuture<T>> action) {
        CompletableFuture<T> result = new CompletableFuture<>();
        context.runOnContext(v -> {
            try {
                action.get().whenComplete((value, error) -> {
                    if (error != null) {
                        result.completeExceptionally(error);
                    } else {
                        result.complete(value);
                    }
                });
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        try {
            return result.get(SWITCH_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while switching " + options.name(), e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("emulator '" + options.name() + "': " + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("emulator '" + options.name() + "' did not answer in time", e);
        }
    }
}
