package io.xregion.servicebus.dedup;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The Redis endpoints in preference order, each with its own small pool, and the one in use. A command goes to the
 * endpoint in use; when it cannot reach it, to the others in preference order, and the first that answers is in use
 * from then on. {@link #probe()} brings a more preferred endpoint back once it answers again. Public for the
 * message history (io.xregion.continuity), which reaches the same Redis with connections of its own.
 */
public final class RedisConnections implements AutoCloseable {

    /** No endpoint answered. */
    public static final class UnreachableException extends RuntimeException {
        UnreachableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final List<RedisEndpoint> endpoints;
    private final List<UnifiedJedis> clients = new ArrayList<>();
    private volatile int inUse;

    public RedisConnections(List<RedisEndpoint> endpoints, String accessKey, String clientName, Duration connectTimeout,
            Duration timeout, int maxConnections) {
        this.endpoints = List.copyOf(endpoints);
        for (RedisEndpoint endpoint : endpoints) {
            DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder().ssl(endpoint.tls())
                    .connectionTimeoutMillis((int) connectTimeout.toMillis())
                    .socketTimeoutMillis((int) timeout.toMillis()).clientName(clientName);
            if (accessKey != null && !accessKey.isEmpty()) {
                config.password(accessKey);
            }
            GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
            pool.setMaxTotal(maxConnections);
            pool.setMaxIdle(maxConnections);
            // a command waits for a free connection no longer than for an answer
            pool.setMaxWait(timeout);
            pool.setJmxEnabled(false);
            clients.add(new JedisPooled(pool, new HostAndPort(endpoint.host(), endpoint.port()), config.build()));
        }
    }

    /** The endpoint commands go to now. */
    RedisEndpoint inUse() {
        return endpoints.get(inUse);
    }

    List<RedisEndpoint> endpoints() {
        return endpoints;
    }

    /**
     * Runs the command on the endpoint in use, else on the first other one that answers. Each endpoint gets a second
     * try, since a pooled connection may be one a restarted server dropped. A refused access key counts as
     * unreachable (the store holds, then degrades), any other Redis error goes to the caller.
     */
    public <T> T run(Function<UnifiedJedis, T> command) {
        int first = inUse;
        JedisException last;
        try {
            return twice(first, command);
        } catch (JedisConnectionException | JedisAccessControlException e) {
            last = e;
        }
        for (int i = 0; i < endpoints.size(); i++) {
            if (i == first) {
                continue;
            }
            try {
                T answer = twice(i, command);
                inUse = i;
                return answer;
            } catch (JedisConnectionException | JedisAccessControlException e) {
                last = e;
            }
        }
        throw new UnreachableException("No Redis endpoint answers (" + names() + "): " + last.getMessage(), last);
    }

    /** PINGs the endpoints more preferred than the one in use (all of them when none answers); true if one did. */
    boolean probe(boolean all) {
        int limit = all ? endpoints.size() : inUse;
        for (int i = 0; i < limit; i++) {
            try {
                clients.get(i).ping();
                inUse = i;
                return true;
            } catch (JedisConnectionException | JedisAccessControlException e) {
                // still away
            }
        }
        return false;
    }

    private <T> T twice(int index, Function<UnifiedJedis, T> command) {
        try {
            return command.apply(clients.get(index));
        } catch (JedisConnectionException e) {
            return command.apply(clients.get(index));
        }
    }

    private String names() {
        return String.join(", ", endpoints.stream().map(RedisEndpoint::name).toList());
    }

    @Override
    public void close() {
        clients.forEach(UnifiedJedis::close);
    }
}
