package io.xregion.servicebus.dedup;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.xregion.observe.XregionMeter;
import io.xregion.servicebus.BoundedCaffeineIdempotentRepository;

/**
 * Duplicate elimination shared by every app server that reads the same entity, on Redis. Camel's idempotent
 * consumer calls {@link #add} when a copy arrives, then {@link #confirm} once the exchange succeeded or
 * {@link #remove} once it failed (Camel 4.17.0: also for a copy add called a duplicate, and not at all when add
 * threw). They map to Redis like this:
 * <ul>
 * <li>add: claim the id, atomically ({@code SET key "claimed <owner>" NX PX lease}). Claimed: process it. Found
 * {@code done}: a duplicate, completed. Found claimed by someone else: wait, the message still locked, until the
 * claim is done (a duplicate) or lapses (claim it); still neither after {@code claim-wait-ms}: throw, so the copy
 * goes back to Service Bus, is not completed, and is looked at again. The other copy in process here (its claim is
 * this process's) is waited for without Redis, and ends the wait the moment it is done or failed; another app
 * server's claim is looked at again after {@code first-poll-ms}, each pause doubling up to {@code poll-ms};</li>
 * <li>while processing: the claim's lease is renewed every third of the lease, only if still ours, so a lease can be
 * short (an app server that dies loses its claims within one lease) while processing may take longer (the receive
 * retries take up to about 31 s with the defaults);</li>
 * <li>confirm: mark it {@code done} for the whole window, only if still ours (or lapsed and not taken);</li>
 * <li>remove: delete it only if still ours (compare-and-delete), so the other copy or the redelivery is processed.</li>
 * </ul>
 * Ids known done sit in a near cache, so a second copy on the same app server costs no round trip.
 *
 * <p>When no endpoint answers the store first holds (nothing is decided: add waits, the message stays locked in
 * Service Bus) for {@code hold-ms}, then degrades to per-process elimination (an in-memory store like the memory
 * store) until Redis answers again.
 */
public final class RedisDuplicateStore extends ServiceSupport implements IdempotentRepository, CamelContextAware {

    private static final Logger LOG = LoggerFactory.getLogger("io.xregion.servicebus");

    static final String CLAIM = """
            if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 'claimed' end
            return redis.call('GET', KEYS[1]) or 'lapsed'""";
    static final String CONFIRM = """
            local v = redis.call('GET', KEYS[1])
            if v == ARGV[1] or not v then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 end
            return 0""";
    static final String RELEASE = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
            return 0""";
    static final String RENEW = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
            return 0""";

    /** The exchange property that carries an exchange's claim from add to confirm or remove. */
    static final String CLAIM_PROPERTY = "xregion.dedup.claim";

    /**
     * A claim this process holds: in Redis, or (degraded) in memory only. {@code settled} completes when its message
     * is done (true) or failed (false), which ends the wait of a copy of it that arrived here meanwhile.
     */
    private record Claim(boolean shared, AtomicBoolean lost, CompletableFuture<Boolean> settled) {
        Claim(boolean shared) {
            this(shared, new AtomicBoolean(), new CompletableFuture<>());
        }
    }

    private final RedisConnections redis;
    private final DuplicateStoreSettings settings;
    private final String claimedValue;
    private final String doneValue;
    private final Cache<String, Boolean> knownDone;
    private final BoundedCaffeineIdempotentRepository local;
    private final Map<String, Claim> claims = new ConcurrentHashMap<>();
    private final Object stateLock = new Object();
    private volatile DuplicateStoreState state = DuplicateStoreState.SHARED;
    private volatile long unreachableSince;
    private volatile String lastError = "";
    private CamelContext context;
    private ScheduledExecutorService timers;
    private MeterRegistry meters;

    public RedisDuplicateStore(DuplicateStoreSettings settings) {
        this.settings = settings;
        this.redis = new RedisConnections(settings.endpoints(), settings.accessKey(), "xregion-dedup",
                settings.connectTimeout(), settings.timeout(), settings.maxConnections());
        this.claimedValue = "claimed " + settings.owner();
        this.doneValue = "done " + settings.owner();
        this.knownDone = Caffeine.newBuilder().expireAfterWrite(settings.window()).maximumSize(settings.maxEntries())
                .build();
        this.local = new BoundedCaffeineIdempotentRepository(settings.window(), settings.maxEntries());
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.context = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return context;
    }

    @Override
    protected void doStart() {
        if (timers != null) {
            return;
        }
        timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "xregion-dedup-redis");
            thread.setDaemon(true);
            return thread;
        });
        long renewEvery = Math.max(1, settings.lease().toMillis() / 3);
        timers.scheduleWithFixedDelay(this::renewClaims, renewEvery, renewEvery, TimeUnit.MILLISECONDS);
        long probeEvery = settings.probeInterval().toMillis();
        timers.scheduleWithFixedDelay(this::probe, probeEvery, probeEvery, TimeUnit.MILLISECONDS);
        MeterRegistry registry = context == null ? null : context.getRegistry().findSingleByType(MeterRegistry.class);
        if (registry != null && meters == null) {
            meters = registry;
            for (DuplicateStoreState each : DuplicateStoreState.values()) {
                XregionMeter.SERVICEBUS_DEDUP_STATE.gauge(registry, this, s -> s.state == each ? 1 : 0,
                        "state", each.label());
            }
            XregionMeter.SERVICEBUS_DEDUP_CLAIMS_HELD.gauge(registry, claims, Map::size);
        }
        LOG.info("Duplicate store: redis at {} (preference order), owner {}, lease {} ms, hold {}",
                String.join(", ", redis.endpoints().stream().map(RedisEndpoint::name).toList()), settings.owner(),
                settings.lease().toMillis(), holdText());
    }

    /**
     * Camel 4.17.0's idempotent consumer stops its repository when its route stops, and both receive routes share
     * this one: a route stopped on its own must not end the renewal of the other route's claims, so the timers end
     * only with the app (or when there is no app, in tests).
     */
    @Override
    protected void doStop() {
        if (timers != null && (context == null || context.isStopping() || context.isStopped())) {
            timers.shutdownNow();
            timers = null;
        }
    }

    @Override
    protected void doShutdown() {
        if (context == null || context.isStopping() || context.isStopped()) {
            redis.close();
        }
    }

    @Override
    public boolean add(String id) {
        return claim(id) != null;
    }

    /**
     * Camel's idempotent consumer calls this one: the claim goes with the exchange, so only the exchange that claimed
     * an id can confirm or remove it (a duplicate's exchange completing, or failing, touches nothing).
     */
    @Override
    public boolean add(Exchange exchange, String id) {
        Claim claim = claim(id);
        if (claim == null) {
            return false;
        }
        exchange.setProperty(CLAIM_PROPERTY, claim);
        return true;
    }

    @Override
    public boolean confirm(Exchange exchange, String id) {
        return exchange.getProperty(CLAIM_PROPERTY) instanceof Claim claim ? confirm(id, claim) : true;
    }

    @Override
    public boolean remove(Exchange exchange, String id) {
        return exchange.getProperty(CLAIM_PROPERTY) instanceof Claim claim && remove(id, claim);
    }

    /** The new claim on the id, or null when it is a duplicate. */
    private Claim claim(String id) {
        if (knownDone.getIfPresent(id) != null) {
            count(XregionMeter.SERVICEBUS_DEDUP_NEAR_CACHE_HITS);
            return null;
        }
        long started = System.nanoTime();
        long waitNanos = settings.claimWait().toNanos();
        long pauseMillis = settings.firstPoll().toMillis();
        String owner = null;
        while (true) {
            if (state == DuplicateStoreState.DEGRADED) {
                return addLocally(id);
            }
            Claim inProcess = claims.get(id);
            if (inProcess != null && inProcess.shared()) {
                // the other copy is being processed here: its outcome, not Redis, decides
                if (awaitOutcome(id, inProcess, waitNanos - (System.nanoTime() - started))) {
                    count(XregionMeter.SERVICEBUS_DEDUP_CLAIMS, "result", "duplicate");
                    return null;
                }
                continue;
            }
            String found;
            try {
                found = (String) redis.run(r -> r.eval(CLAIM, List.of(key(id)),
                        List.of(claimedValue, Long.toString(settings.lease().toMillis()))));
                answered();
            } catch (RedisConnections.UnreachableException e) {
                unreachable(e);
                if (state == DuplicateStoreState.DEGRADED) {
                    return addLocally(id);
                }
                pause(id, settings.poll().toMillis());
                continue;
            }
            if (found.equals("claimed")) {
                Claim claim = new Claim(true);
                claims.put(id, claim);
                count(XregionMeter.SERVICEBUS_DEDUP_CLAIMS, "result", "claimed");
                return claim;
            }
            if (found.startsWith("done ")) {
                knownDone.put(id, Boolean.TRUE);
                count(XregionMeter.SERVICEBUS_DEDUP_CLAIMS, "result", "duplicate");
                return null;
            }
            if (found.startsWith("claimed ")) {
                owner = found.substring("claimed ".length());
            }
            // claimed by someone else (or by this process for the other copy), or lapsed just now: look again
            if (System.nanoTime() - started >= waitNanos) {
                count(XregionMeter.SERVICEBUS_DEDUP_CLAIMS, "result", "pending");
                throw new ClaimPendingException(id, owner == null ? "another app server" : owner,
                        settings.claimWait().toMillis());
            }
            pause(id, pauseMillis);
            pauseMillis = Math.min(settings.poll().toMillis(), pauseMillis * 2);
            if (knownDone.getIfPresent(id) != null) {
                // the other copy was processed here meanwhile
                count(XregionMeter.SERVICEBUS_DEDUP_NEAR_CACHE_HITS);
                return null;
            }
        }
    }

    private Claim addLocally(String id) {
        if (!local.add(id)) {
            count(XregionMeter.SERVICEBUS_DEDUP_CLAIMS, "result", "duplicate");
            return null;
        }
        Claim claim = new Claim(false);
        claims.put(id, claim);
        count(XregionMeter.SERVICEBUS_DEDUP_CLAIMS, "result", "local");
        return claim;
    }

    private void pause(String id, long millis) {
        if (context != null && (context.isStopping() || context.isStopped())) {
            throw new DuplicateStoreUnavailableException("The app is stopping before message " + id
                    + " could be claimed; it goes back to Service Bus");
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DuplicateStoreUnavailableException("Interrupted while claiming message " + id);
        }
    }

    /**
     * Waits for the outcome of this process's own claim on the id: true once its message is done (this copy is a
     * duplicate), false once it failed (this copy may claim it). Throws when the wait is over first, as for a claim of
     * another app server.
     */
    private boolean awaitOutcome(String id, Claim claim, long waitNanos) {
        try {
            return claim.settled().get(Math.max(0, waitNanos), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            count(XregionMeter.SERVICEBUS_DEDUP_CLAIMS, "result", "pending");
            throw new ClaimPendingException(id, settings.owner(), settings.claimWait().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DuplicateStoreUnavailableException("Interrupted while claiming message " + id);
        } catch (ExecutionException e) {
            return false;
        }
    }

    @Override
    public boolean confirm(String id) {
        Claim claim = claims.get(id);
        // no claim of ours: a duplicate's exchange completing, nothing to confirm
        return claim == null || confirm(id, claim);
    }

    private boolean confirm(String id, Claim claim) {
        claims.remove(id, claim);
        knownDone.put(id, Boolean.TRUE);
        claim.settled().complete(true);
        if (!claim.shared()) {
            return local.confirm(id);
        }
        try {
            Object marked = redis.run(r -> r.eval(CONFIRM, List.of(key(id)),
                    List.of(claimedValue, doneValue, Long.toString(settings.window().toMillis()))));
            if (!Long.valueOf(1).equals(marked)) {
                lost(id, "confirmed");
                return false;
            }
            return true;
        } catch (RedisConnections.UnreachableException e) {
            unreachable(e);
            // the claim lapses within a lease; until then other copies wait, afterwards one may be processed again
            count(XregionMeter.SERVICEBUS_DEDUP_ERRORS, "operation", "confirm");
            LOG.warn("Message {} was processed but could not be marked done in Redis: {}", id, e.getMessage());
            return false;
        }
    }

    @Override
    public boolean remove(String id) {
        Claim claim = claims.get(id);
        return claim != null && remove(id, claim);
    }

    private boolean remove(String id, Claim claim) {
        claims.remove(id, claim);
        if (!claim.shared()) {
            claim.settled().complete(false);
            return local.remove(id);
        }
        try {
            return Long.valueOf(1).equals(redis.run(r -> r.eval(RELEASE, List.of(key(id)), List.of(claimedValue))));
        } catch (RedisConnections.UnreachableException e) {
            unreachable(e);
            // the claim lapses by itself within a lease
            count(XregionMeter.SERVICEBUS_DEDUP_ERRORS, "operation", "remove");
            return false;
        } finally {
            // once released, so a copy waiting here claims the id afresh instead of finding it still held
            claim.settled().complete(false);
        }
    }

    @Override
    public boolean contains(String id) {
        if (knownDone.getIfPresent(id) != null || claims.containsKey(id)) {
            return true;
        }
        if (state == DuplicateStoreState.DEGRADED) {
            return local.contains(id);
        }
        try {
            return redis.run(r -> r.exists(key(id)));
        } catch (RedisConnections.UnreachableException e) {
            unreachable(e);
            return local.contains(id);
        }
    }

    @Override
    public void clear() {
        knownDone.invalidateAll();
        local.clear();
    }

    private void renewClaims() {
        try {
            for (Map.Entry<String, Claim> entry : claims.entrySet()) {
                Claim claim = entry.getValue();
                if (!claim.shared() || claim.lost().get()) {
                    continue;
                }
                String id = entry.getKey();
                Object renewed = redis.run(r -> r.eval(RENEW, List.of(key(id)),
                        List.of(claimedValue, Long.toString(settings.lease().toMillis()))));
                if (!Long.valueOf(1).equals(renewed) && claims.get(id) == claim) {
                    lost(id, "renewed");
                }
            }
        } catch (RedisConnections.UnreachableException e) {
            unreachable(e);
            count(XregionMeter.SERVICEBUS_DEDUP_ERRORS, "operation", "renew");
        } catch (RuntimeException e) {
            LOG.warn("Renewing duplicate-store claims failed: {}", e.getMessage());
        }
    }

    private void lost(String id, String when) {
        count(XregionMeter.SERVICEBUS_DEDUP_CLAIMS_LOST);
        Claim claim = claims.get(id);
        if (claim != null) {
            claim.lost().set(true);
        }
        LOG.warn("The claim on message {} was no longer this app server's when it was to be {} (it lapsed: Redis "
                + "lost it or did not answer for a lease); another app server may process it too", id, when);
    }

    private void probe() {
        try {
            if (state != DuplicateStoreState.SHARED) {
                if (redis.probe(true)) {
                    answered();
                } else {
                    unreachable(null);
                }
            } else if (redis.endpoints().indexOf(redis.inUse()) > 0 && redis.probe(false)) {
                LOG.info("Duplicate store: back on the preferred Redis endpoint {}", redis.inUse().name());
            }
        } catch (RuntimeException e) {
            LOG.warn("Probing Redis failed: {}", e.getMessage());
        }
    }

    /** Redis answered: shared again if it was not. */
    private void answered() {
        if (state == DuplicateStoreState.SHARED) {
            return;
        }
        synchronized (stateLock) {
            if (state != DuplicateStoreState.SHARED) {
                LOG.warn("Redis at {} answers again: duplicate elimination is shared again (it was {} for {} ms)",
                        redis.inUse().name(), state.label(), System.currentTimeMillis() - unreachableSince);
                state = DuplicateStoreState.SHARED;
            }
        }
    }

    /** No endpoint answered (or, from the probe, still none does): hold, then degrade once the hold is over. */
    private void unreachable(RuntimeException error) {
        synchronized (stateLock) {
            long now = System.currentTimeMillis();
            if (error != null) {
                lastError = error.getMessage();
            }
            if (state == DuplicateStoreState.SHARED) {
                if (error == null) {
                    return;
                }
                state = DuplicateStoreState.HOLDING;
                unreachableSince = now;
                LOG.warn("Redis does not answer ({}): holding, nothing is processed and messages stay in Service Bus, "
                        + "{}", lastError, holdText());
            }
            long hold = settings.hold().toMillis();
            if (state == DuplicateStoreState.HOLDING && hold >= 0 && now - unreachableSince >= hold) {
                state = DuplicateStoreState.DEGRADED;
                count(XregionMeter.SERVICEBUS_DEDUP_DEGRADATIONS);
                LOG.warn("Redis has not answered for {} ms: duplicates are now eliminated per app server only (copies "
                        + "that reach two app servers are processed by both) until it answers again",
                        now - unreachableSince);
            }
        }
    }

    private String holdText() {
        long hold = settings.hold().toMillis();
        return hold < 0 ? "for ever while Redis is away" : hold == 0 ? "none (degrade at once)"
                : "for " + hold + " ms before degrading to per-app-server duplicate elimination";
    }

    private String key(String id) {
        return settings.keyPrefix() + id;
    }

    private void count(XregionMeter meter, String... tags) {
        MeterRegistry registry = meters;
        if (registry != null) {
            meter.counter(registry, tags).increment();
        }
    }

    public DuplicateStoreState state() {
        return state;
    }

    /** The store as health details and /dev/state show it: never the access key. */
    public Map<String, Object> describe() {
        Map<String, Object> description = new LinkedHashMap<>();
        description.put("store", "redis");
        description.put("state", state.label());
        description.put("endpoint", redis.inUse().name());
        description.put("endpoints", redis.endpoints().stream().map(RedisEndpoint::name).toList());
        description.put("owner", settings.owner());
        description.put("claimsHeld", claims.size());
        if (state != DuplicateStoreState.SHARED) {
            description.put("unreachableForMs", System.currentTimeMillis() - unreachableSince);
            description.put("hold", holdText());
            description.put("lastError", lastError);
        }
        return description;
    }
}
