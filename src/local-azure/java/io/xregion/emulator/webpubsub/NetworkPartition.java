package io.xregion.emulator.webpubsub;

import java.net.SocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.impl.transports.JDKTransport;
import io.vertx.core.net.ClientOptionsBase;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.spi.transport.Transport;

/**
 * The partition fault of one instance, below HTTP: every TCP connection the instance holds goes silent (nothing is
 * written to the peer, nothing the peer sends is read, no FIN, no RST), and connections accepted meanwhile are
 * silent from their first byte: no TLS handshake, no HTTP response, no WebSocket upgrade, no health answer. Healing
 * resets (RST) every silenced connection, as a server that has long forgotten them answers a peer's next packet.
 *
 * <p>It sees every accepted connection through a Vert.x {@link Transport} (the SPI Vert.x 4.5 builds its Netty
 * channels with) whose server channel hands each accepted channel here before Vert.x initialises it: a connection
 * that arrives during a partition is silenced before a byte of it is read, which Vert.x's own connection handler
 * (called after the TLS handshake and the first request line) could not do. Outside a partition nothing is added to
 * a connection's pipeline, so normal traffic pays nothing per byte; the cost is one set insert per connection.
 *
 * <p>A silenced connection keeps its kernel socket: what the peer sends stays unread in the kernel's buffers, so its
 * writes succeed until they fill and then block, as unacknowledged data does on a real broken path.
 */
final class NetworkPartition {

    /** Every accepted connection still open, silenced or not. */
    private final Set<Channel> open = ConcurrentHashMap.newKeySet();
    /** The connections silenced by the current partition, and their gates. */
    private final ConcurrentHashMap<Channel, Gate> silenced = new ConcurrentHashMap<>();
    private final AtomicLong droppedWrites = new AtomicLong();
    private volatile boolean active;

    /** The JDK (NIO) transport Vert.x uses by default, with accepted connections passing through here. */
    Transport transport() {
        return new PartitionableTransport(JDKTransport.INSTANCE, this);
    }

    boolean active() {
        return active;
    }

    /** Silences every open connection and every one accepted until {@link #heal()} or {@link #release()}. */
    synchronized void start() {
        active = true;
        open.forEach(this::silence);
    }

    /** Ends the partition: every silenced connection is reset (RST), as a server that timed it out answers. */
    synchronized void heal() {
        end(true);
    }

    /** Ends the partition for an instance going down: every silenced connection is closed (FIN), as down does. */
    synchronized void release() {
        end(false);
    }

    /** How many connections the partition holds silent now. */
    int silencedConnections() {
        return silenced.size();
    }

    /** How many writes (WebSocket frames, HTTP responses, TLS records) the partition has dropped since start. */
    long droppedWrites() {
        return droppedWrites.get();
    }

    private void end(boolean reset) {
        active = false;
        silenced.forEach((channel, gate) -> gate.close(channel, reset));
        silenced.clear();
    }

    /** On the acceptor thread, before the channel is registered or Vert.x has seen it. */
    private synchronized void accepted(Channel channel) {
        open.add(channel);
        channel.closeFuture().addListener(closed -> {
            open.remove(channel);
            silenced.remove(channel);
        });
        if (active) {
            silence(channel);
        }
    }

    private void silence(Channel channel) {
        if (!channel.isOpen() || silenced.containsKey(channel)) {
            return;
        }
        Gate gate = new Gate(droppedWrites);
        silenced.put(channel, gate);
        // the gate goes nearest the socket, below TLS and HTTP, so it sees every byte either way
        channel.pipeline().addFirst("xregion-partition", gate);
        // stops the socket being read; a later setAutoRead(true) by Vert.x only asks for a read, which the gate drops
        channel.config().setAutoRead(false);
    }

    /**
     * Drops everything a silenced connection would do on the wire: reads are never asked for, writes and flushes go
     * nowhere (reported done, as a write into a socket buffer is), and a close Vert.x asks for is held until the
     * partition ends, since a FIN is a packet too.
     */
    private static final class Gate extends ChannelDuplexHandler {

        private final AtomicLong droppedWrites;
        private final List<ChannelPromise> heldCloses = new java.util.concurrent.CopyOnWriteArrayList<>();

        Gate(AtomicLong droppedWrites) {
            this.droppedWrites = droppedWrites;
        }

        @Override
        public void read(ChannelHandlerContext ctx) {
            // not passed on: the socket is not read
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            // bytes already on their way up when the gate went in are dropped as well
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            ReferenceCountUtil.release(msg);
            droppedWrites.incrementAndGet();
            promise.trySuccess();
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            // nothing was written
        }

        @Override
        public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
            heldCloses.add(promise);
        }

        @Override
        public void disconnect(ChannelHandlerContext ctx, ChannelPromise promise) {
            heldCloses.add(promise);
        }

        /** Closes the socket for real, from below the gate: with RST (SO_LINGER 0) when reset, else with FIN. */
        void close(Channel channel, boolean reset) {
            channel.closeFuture().addListener(closed -> heldCloses.forEach(ChannelPromise::trySuccess));
            if (!channel.isRegistered()) {
                // accepted a moment ago and not on its event loop yet: nothing above the socket to tell
                closeSocket(channel, reset);
                return;
            }
            Runnable close = () -> {
                ChannelHandlerContext below = channel.pipeline().context(this);
                if (!channel.isOpen() || below == null) {
                    return;
                }
                if (reset) {
                    channel.config().setOption(ChannelOption.SO_LINGER, 0);
                }
                below.close();
            };
            if (channel.eventLoop().inEventLoop()) {
                close.run();
            } else {
                channel.eventLoop().execute(close);
            }
        }

        private static void closeSocket(Channel channel, boolean reset) {
            try {
                if (reset) {
                    channel.config().setOption(ChannelOption.SO_LINGER, 0);
                }
            } catch (io.netty.channel.ChannelException e) {
                // already closed: nothing left to reset
            }
            channel.unsafe().closeForcibly();
        }
    }

    /** A server channel that shows each accepted connection to the partition before anything else sees it. */
    private static final class PartitionableServerChannel extends NioServerSocketChannel {

        private final NetworkPartition partition;

        PartitionableServerChannel(NetworkPartition partition) {
            this.partition = partition;
        }

        @Override
        protected int doReadMessages(List<Object> accepted) throws Exception {
            int count = super.doReadMessages(accepted);
            if (count > 0) {
                partition.accepted((Channel) accepted.get(accepted.size() - 1));
            }
            return count;
        }
    }

    /** Vert.x's JDK transport, except that its server channels are {@link PartitionableServerChannel}s. */
    private static final class PartitionableTransport implements Transport {

        private final Transport delegate;
        private final NetworkPartition partition;

        PartitionableTransport(Transport delegate, NetworkPartition partition) {
            this.delegate = delegate;
            this.partition = partition;
        }

        @Override
        public ChannelFactory<? extends ServerChannel> serverChannelFactory(boolean domainSocket) {
            if (domainSocket) {
                return delegate.serverChannelFactory(true);
            }
            return () -> new PartitionableServerChannel(partition);
        }

        @Override
        public ChannelFactory<? extends Channel> channelFactory(boolean domainSocket) {
            return delegate.channelFactory(domainSocket);
        }

        @Override
        public EventLoopGroup eventLoopGroup(int type, int threads, ThreadFactory threadFactory, int ioRatio) {
            return delegate.eventLoopGroup(type, threads, threadFactory, ioRatio);
        }

        @Override
        public DatagramChannel datagramChannel() {
            return delegate.datagramChannel();
        }

        @Override
        public DatagramChannel datagramChannel(InternetProtocolFamily family) {
            return delegate.datagramChannel(family);
        }

        @Override
        public boolean supportsDomainSockets() {
            return delegate.supportsDomainSockets();
        }

        @Override
        public boolean supportFileRegion() {
            return delegate.supportFileRegion();
        }

        @Override
        public boolean isAvailable() {
            return delegate.isAvailable();
        }

        @Override
        public Throwable unavailabilityCause() {
            return delegate.unavailabilityCause();
        }

        @Override
        public SocketAddress convert(io.vertx.core.net.SocketAddress address) {
            return delegate.convert(address);
        }

        @Override
        public io.vertx.core.net.SocketAddress convert(SocketAddress address) {
            return delegate.convert(address);
        }

        @Override
        public void configure(DatagramChannel channel, DatagramSocketOptions options) {
            delegate.configure(channel, options);
        }

        @Override
        public void configure(ClientOptionsBase options, boolean domainSocket, Bootstrap bootstrap) {
            delegate.configure(options, domainSocket, bootstrap);
        }

        @Override
        public void configure(NetServerOptions options, boolean domainSocket, ServerBootstrap bootstrap) {
            delegate.configure(options, domainSocket, bootstrap);
        }
    }
}
