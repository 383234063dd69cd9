package io.xregion.emulator.servicebus;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.apache.qpid.proton.engine.Connection;
import org.apache.qpid.proton.engine.Transport;
import org.apache.qpid.proton.engine.impl.TransportImpl;
import org.apache.qpid.proton.reactor.Selectable;

/**
 * The partition fault of one namespace, on the reactor thread: every AMQP connection goes silent (no frame out, no
 * byte read, no close or detach, no TCP reset) and connections accepted meanwhile are silent from the start, not
 * even the AMQP protocol header is answered. The engine behind a silenced connection keeps working as if its frames
 * went out (deliveries to its receivers take their credit and lock their messages, locks expire), as the service
 * keeps working behind a broken path.
 *
 * <p>proton-j 0.34 reads and writes a connection's socket only in the readable, writable and expired callbacks of its
 * selectable (reactor.impl.IOHandler); silencing swaps those callbacks for ones that do no I/O and take the interest
 * back, so the selector does not wake for the connection again until the engine has new output. A silenced
 * connection is never given its callbacks back: the partition ends by closing it.
 */
final class NetworkPartition {

    private static final Selectable.Callback NOT_READ = selectable -> {
        selectable.setReading(false);
        selectable.getReactor().update(selectable);
    };
    private static final Selectable.Callback NOT_WRITTEN = selectable -> {
        selectable.setWriting(false);
        selectable.getReactor().update(selectable);
    };
    /** No heartbeats go out, so the transport's deadline has nothing to do. */
    private static final Selectable.Callback NO_DEADLINE = selectable -> {
        selectable.setDeadline(0);
        selectable.getReactor().update(selectable);
    };

    private final Set<Connection> silenced = new LinkedHashSet<>();
    private boolean active;

    boolean active() {
        return active;
    }

    /** Silences every connection the reactor holds, opened by AMQP yet or not, and every one accepted later. */
    void start(Iterable<Connection> open) {
        active = true;
        for (Connection connection : open) {
            silence(connection, true);
        }
    }

    /**
     * A connection was just accepted (its CONNECTION_BOUND event). The selector has not registered its socket yet,
     * so the flags set here are what it starts with.
     */
    void accepted(Connection connection) {
        if (active) {
            silence(connection, false);
        }
    }

    /** Ends the partition; answers the connections it held, for the caller to close. */
    List<Connection> end() {
        active = false;
        List<Connection> held = new ArrayList<>(silenced);
        silenced.clear();
        return held;
    }

    int silencedConnections() {
        return silenced.size();
    }

    private void silence(Connection connection, boolean registered) {
        Transport transport = connection.getTransport();
        Selectable selectable = transport == null ? null : ((TransportImpl) transport).getSelectable();
        if (selectable == null || selectable.isTerminal() || !silenced.add(connection)) {
            return;
        }
        selectable.onReadable(NOT_READ);
        selectable.onWritable(NOT_WRITTEN);
        selectable.onExpired(NO_DEADLINE);
        selectable.setReading(false);
        selectable.setWriting(false);
        selectable.setDeadline(0);
        if (registered) {
            selectable.getReactor().update(selectable);
        }
    }
}
