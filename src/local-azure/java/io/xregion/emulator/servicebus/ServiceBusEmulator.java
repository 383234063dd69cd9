package io.xregion.emulator.servicebus;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SocketChannel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import org.apache.qpid.proton.Proton;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;
import org.apache.qpid.proton.engine.BaseHandler;
import org.apache.qpid.proton.engine.Connection;
import org.apache.qpid.proton.engine.Event;
import org.apache.qpid.proton.engine.Transport;
import org.apache.qpid.proton.engine.impl.TransportImpl;
import org.apache.qpid.proton.reactor.Acceptor;
import org.apache.qpid.proton.reactor.Reactor;
import org.apache.qpid.proton.reactor.ReactorOptions;
import org.apache.qpid.proton.reactor.Selectable;
import org.apache.qpid.proton.reactor.impl.AcceptorImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One local Azure Service Bus namespace: an AMQP 1.0 server on a loopback port that speaks the parts of the Service
 * Bus dialect the official SDKs use, unchanged, with a {@code ...;UseDevelopmentEmulator=true} connection string: the
 * Java SDK (and so camel-azure-servicebus) and the JavaScript SDK (@azure/service-bus). SASL ANONYMOUS, {@code $cbs}
 * put-token (the signature is checked against the namespace key), queues and topics with subscriptions, single and
 * batched sends, PEEK_LOCK with 16-byte lock tokens and RECEIVE_AND_DELETE, complete / abandon / dead-letter, lock
 * expiry, the dead-letter sub-queue after the maximum delivery count, competing receivers served in turn, and
 * {@code $management} renew-lock and peek. As in Service Bus, a receiver that goes away without settling (detached,
 * disconnected, killed) leaves its messages locked until their lock expires. Sessions, scheduled and deferred
 * messages and subscription rules are refused at once with {@code amqp:not-implemented} (see {@code Unsupported}).
 *
 * <p>Fault switches drive failover drills: {@link #down()} closes the listener and drops every connection (messages
 * stay, as they would in a real namespace, unlocked), {@link #partition()} leaves every connection hanging and
 * answers no new one (as a region cut off the network is usually lost), {@link #up()} listens again on the same port
 * or heals the partition, and {@link #rejectSends(String, String)} refuses every send with an AMQP error condition
 * until {@link #acceptSends()}.
 *
 * <p>All AMQP work happens on one reactor thread; the entity store is shared with callers under its own lock.
 */
public final class ServiceBusEmulator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceBusEmulator.class);
    private static final long WAIT_SECONDS = 10;

    /** What the namespace is doing now. */
    public enum State {
        UP, PARTITIONED, DOWN
    }

    /** One entity's counts, for state pages and tests. */
    public record EntityCounts(int depth, int locked, int deadLetters) {
    }

    private final ServiceBusEmulatorOptions options;
    private final Entities entities;
    private volatile int port;
    private volatile State state = State.DOWN;
    private volatile ErrorCondition rejectSends;

    private Reactor reactor;
    private Thread thread;
    private Acceptor acceptor;
    private Pipe wakeUp;
    private Selectable wakeUpSelectable;
    private volatile boolean stopping;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private AmqpHandler handler;
    private NetworkPartition partition;

    private ServiceBusEmulator(ServiceBusEmulatorOptions options) {
        this.options = options;
        this.entities = new Entities(options.queues(), options.topics());
        this.port = options.port();
    }

    /** Starts a namespace and waits until it listens. */
    public static ServiceBusEmulator start(ServiceBusEmulatorOptions options) {
        ServiceBusEmulator emulator = new ServiceBusEmulator(options);
        emulator.up();
        return emulator;
    }

    public String name() {
        return options.name();
    }

    public int port() {
        return port;
    }

    public State state() {
        return state;
    }

    /** {@code sb://host:port}, the endpoint of this namespace's connection string. */
    public String endpoint() {
        return "sb://" + options.host() + ":" + port;
    }

    /** The connection string the SDK (and camel-azure-servicebus) uses; it holds the key, so do not log it. */
    public String connectionString() {
        return "Endpoint=sb://" + options.host() + ":" + port + ";SharedAccessKeyName=" + options.keyName()
                + ";SharedAccessKey=" + options.key() + ";UseDevelopmentEmulator=true;";
    }

    /**
     * Listens (again) on the namespace's port. Entities and their messages survive a down/up. After a
     * {@link #partition()}, every connection the partition held is reset (RST), as a service that has long timed
     * them out answers a peer's next packet; what they had locked is released as when a connection drops.
     */
    public synchronized void up() {
        if (thread != null) {
            if (state == State.PARTITIONED) {
                heal();
            }
            return;
        }
        try {
            ReactorOptions reactorOptions = new ReactorOptions();
            // the server side then offers SASL ANONYMOUS and accepts it, which is all the SDK asks for
            reactorOptions.setEnableSaslByDefault(true);
            reactorOptions.setMaxFrameSize(65536);
            reactor = Proton.reactor(reactorOptions, new BaseHandler());
            reactor.setTimeout(100);
            partition = new NetworkPartition();
            handler = new AmqpHandler(options, entities, this::rejection, partition);
            acceptor = reactor.acceptor(options.host(), port, handler);
            if (port == 0) {
                port = ((AcceptorImpl) acceptor).getPortNumber();
            }
            wakeUp = Pipe.open();
            wakeUp.source().configureBlocking(false);
            wakeUpSelectable = reactor.selectable();
            wakeUpSelectable.setChannel(wakeUp.source());
            wakeUpSelectable.onReadable(s -> runTasks());
            wakeUpSelectable.setReading(true);
            reactor.update(wakeUpSelectable);
            stopping = false;
            scheduleLockSweep();
            CompletableFuture<Void> started = new CompletableFuture<>();
            Reactor running = reactor;
            thread = new Thread(() -> {
                running.start();
                started.complete(null);
                while (running.process()) {
                    // the loop ends once down() has closed every socket, timer and selectable
                }
                running.stop();
                running.free();
            }, "servicebus-emulator-" + options.name());
            thread.setDaemon(true);
            thread.start();
            started.get(WAIT_SECONDS, TimeUnit.SECONDS);
            state = State.UP;
            LOG.info("Service Bus emulator '{}' listening on sb://{}:{}", options.name(), options.host(), port);
        } catch (IOException | InterruptedException | ExecutionException | TimeoutException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("Service Bus emulator '" + options.name() + "' cannot listen on port "
                    + port + ": " + e.getMessage(), e);
        }
    }

    /** The namespace is lost: the listener closes and every connection drops without a goodbye. */
    public synchronized void down() {
        Thread running = thread;
        if (running == null) {
            return;
        }
        state = State.DOWN;
        onReactor(() -> {
            stopping = true;
            // every silenced connection is among the children closed below, with a FIN as down does
            partition.end();
            acceptor.close();
            for (Connection connection : handler.connections()) {
                handler.release(connection);
            }
            // every accepted socket, whether AMQP opened it yet or not
            for (Object child : new ArrayList<>(reactor.children())) {
                if (child instanceof Connection connection) {
                    drop(connection);
                }
            }
            wakeUpSelectable.terminate();
            reactor.update(wakeUpSelectable);
            // ends the loop even if a socket is still being torn down
            reactor.stop();
            return null;
        });
        try {
            running.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (running.isAlive()) {
            throw new IllegalStateException("Service Bus emulator '" + options.name() + "' did not stop");
        }
        thread = null;
        LOG.info("Service Bus emulator '{}' is down", options.name());
    }

    /**
     * The namespace is cut off the network without a goodbye: every open connection goes silent (no frame out, what
     * the client sends is left unread, no close or detach, no TCP reset) and new connections are accepted and never
     * answered, not even with the AMQP protocol header. Messages and locks live on behind it; {@link #up()} heals.
     * Partitioning twice changes nothing.
     */
    public synchronized void partition() {
        if (thread == null) {
            throw new IllegalStateException("Service Bus emulator '" + options.name() + "' is down; bring it up "
                    + "first");
        }
        if (state == State.PARTITIONED) {
            return;
        }
        int silenced = onReactor(() -> {
            List<Connection> open = new ArrayList<>();
            for (Object child : reactor.children()) {
                if (child instanceof Connection connection) {
                    open.add(connection);
                }
            }
            partition.start(open);
            return partition.silencedConnections();
        });
        state = State.PARTITIONED;
        LOG.info("Service Bus emulator '{}' is partitioned: {} connections silenced", options.name(), silenced);
    }

    /** How many connections a partition holds silent now (0 when not partitioned or down). */
    public int silencedConnections() {
        return state == State.PARTITIONED ? onReactor(partition::silencedConnections) : 0;
    }

    private void heal() {
        int reset = onReactor(() -> {
            List<Connection> held = partition.end();
            for (Connection connection : held) {
                handler.release(connection);
                reset(connection);
            }
            return held.size();
        });
        state = State.UP;
        LOG.info("Service Bus emulator '{}': partition healed, {} connections reset", options.name(), reset);
    }

    /** Refuses every send with this AMQP error condition (e.g. com.microsoft:server-busy) until accepted again. */
    public void rejectSends(String condition, String description) {
        rejectSends = new ErrorCondition(Symbol.valueOf(condition), description);
        LOG.info("Service Bus emulator '{}' rejects sends with {}", options.name(), condition);
    }

    public void acceptSends() {
        rejectSends = null;
    }

    /** The condition sends are rejected with, or null. */
    public String rejecting() {
        ErrorCondition condition = rejectSends;
        return condition == null ? null : condition.getCondition().toString();
    }

    private ErrorCondition rejection() {
        return rejectSends;
    }

    /** Messages waiting in a queue or subscription (e.g. {@code events/subscriptions/app}). */
    public int depth(String path) {
        synchronized (entities) {
            MessageEntity entity = entities.readable(path);
            if (entity == null) {
                throw new IllegalArgumentException("no entity " + path);
            }
            return entity.depth();
        }
    }

    public int deadLetterDepth(String path) {
        return depth(path + "/$deadletterqueue");
    }

    public int locked(String path) {
        synchronized (entities) {
            MessageEntity entity = entities.readable(path);
            return entity == null ? 0 : entity.lockedCount();
        }
    }

    /** How many receivers are attached to a queue or subscription now (0 while the namespace is down). */
    public int receivers(String path) {
        return state != State.DOWN ? onReactor(() -> handler.receivers(path)) : 0;
    }

    /** The lock tokens currently held in a queue or subscription. */
    public Set<UUID> lockTokens(String path) {
        synchronized (entities) {
            MessageEntity entity = entities.readable(path);
            return entity == null ? Set.of() : entity.lockTokens();
        }
    }

    /** Until when each lock held in a queue or subscription lasts (a renewal moves it on), by lock token. */
    public Map<UUID, Instant> lockedUntil(String path) {
        synchronized (entities) {
            MessageEntity entity = entities.readable(path);
            return entity == null ? Map.of() : entity.lockedUntil();
        }
    }

    /** Every queue and subscription with its counts. */
    public Map<String, EntityCounts> entityCounts() {
        synchronized (entities) {
            Map<String, EntityCounts> counts = new LinkedHashMap<>();
            for (MessageEntity entity : entities.primaries()) {
                counts.put(entity.path, new EntityCounts(entity.depth(), entity.lockedCount(),
                        entity.deadLetters.depth()));
            }
            return counts;
        }
    }

    @Override
    public void close() {
        down();
    }

    // ---- reactor plumbing

    private void runTasks() {
        try {
            ByteBuffer drain = ByteBuffer.allocate(64);
            while (wakeUp.source().read(drain) > 0) {
                drain.clear();
            }
        } catch (IOException e) {
            // the pipe only wakes the reactor up
        }
        for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
            task.run();
        }
    }

    private <T> T onReactor(Supplier<T> action) {
        CompletableFuture<T> result = new CompletableFuture<>();
        tasks.add(() -> {
            try {
                result.complete(action.get());
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        try {
            wakeUp.sink().write(ByteBuffer.wrap(new byte[] {1}));
            return result.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (IOException | ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Service Bus emulator '" + options.name() + "' did not answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void scheduleLockSweep() {
        reactor.schedule(200, new BaseHandler() {
            @Override
            public void onTimerTask(Event event) {
                handler.expireLocks();
                if (!stopping) {
                    scheduleLockSweep();
                }
            }
        });
    }

    /** Closes a connection's socket with a TCP reset (SO_LINGER 0) rather than a FIN. */
    private void reset(Connection connection) {
        Transport transport = connection.getTransport();
        Selectable selectable = transport == null ? null : ((TransportImpl) transport).getSelectable();
        if (selectable != null && selectable.getChannel() instanceof SocketChannel socket && socket.isOpen()) {
            try {
                socket.setOption(StandardSocketOptions.SO_LINGER, 0);
            } catch (IOException e) {
                LOG.debug("[{}] cannot set SO_LINGER: {}", options.name(), e.getMessage());
            }
        }
        drop(connection);
    }

    /**
     * Closes a connection's socket now. proton-j's reactor would only notice a closed transport on its next I/O
     * event, leaving the port busy and clients unaware for up to their idle timeout.
     */
    private void drop(Connection connection) {
        Transport transport = connection.getTransport();
        if (transport == null) {
            return;
        }
        transport.close_tail();
        transport.close_head();
        transport.pop(Math.max(0, transport.pending()));
        Selectable selectable = ((TransportImpl) transport).getSelectable();
        if (selectable != null && !selectable.isTerminal()) {
            selectable.terminate();
            reactor.update(selectable);
        }
    }
}
