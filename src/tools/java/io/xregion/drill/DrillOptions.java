package io.xregion.drill;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The drill's options, {@code key=value} arguments (docs/region-loss-drill.md); {@code app.<key>=<value>} passes a
 * property to both app servers (e.g. {@code app.xregion.webpubsub.health.interval-ms=1000}).
 */
public record DrillOptions(int clients, int rate, String protocol, String store, boolean redisLost, Long holdMs,
        int warmupSeconds, int outageSeconds, int settleSeconds, int drainSeconds, int slackMillis, Integer lockMillis,
        Path output, String loss, int publishTryMillis, String client,
        Map<String, String> appProperties) {

    private static final Set<String> KEYS = Set.of("clients", "rate", "protocol", "store", "redis-lost", "hold-ms",
            "warmup-s", "outage-s", "settle-s", "drain-s", "slack-ms", "lock-ms", "output", "loss", "publish-try-ms", "client");

    public static final String USAGE = """
            region-loss drill options (key=value):
              clients=10        clients per region (the client library or the official JS client, one node process)
              rate=25           messages per second of each region's publisher
              protocol=json     json (json.webpubsub.azure.v1) or reliable (json.reliable.webpubsub.azure.v1)
              client=library    library (clients/js, @xregion/web-pubsub-client around the official client: fast
                                failover off a lost or silent instance) or official (@azure/web-pubsub-client alone,
                                its own reconnect and recovery defaults)
              store=memory      the app servers' duplicate store: memory or redis (xregion.servicebus.dedup.store)
              redis-lost=false  true: Redis is killed together with eastus (and restarted empty with it)
              hold-ms=          xregion.servicebus.dedup.redis.hold-ms for both app servers (empty: the app's default)
              warmup-s=60       seconds of traffic before eastus is lost (the first 40: start, not steady state)
              outage-s=60       seconds eastus stays lost (reliable clients try recovery for 30 s first)
              settle-s=45       seconds of traffic after the restore (failback, stranded copies)
              drain-s=15        seconds after the publishers stop, for deliveries still on their way
              slack-ms=2000     a connection is expected to get a message delivered (first received by any client)
                                while it was open, this long after it opened and before it closed
              lock-ms=          the namespaces' peek-lock duration (local Azure servicebus.lock-duration-ms; empty:
                                its default, 10000, what xregion asks of real entities): a message a killed app
                                server held comes back after it
              loss=down         how eastus is lost: down (its app server killed, its instance and namespace refuse and
                                reset connections) or partition (its app server frozen with SIGSTOP, its instance and
                                namespace silent: open connections hang, new ones are never answered)
              publish-try-ms=8000  how long a publisher's global front waits for one app server before it tries the
                                other region's, with the same Idempotency-Key
              output=target/drill   where logs, the local Azure's files, outboxes and report-*.json go
              app.<key>=<value> a property for both app servers (xregion.* as environment variables, camel.* as -D)
            """;

    public static DrillOptions parse(List<String> arguments) {
        Map<String, String> given = new LinkedHashMap<>();
        Map<String, String> app = new LinkedHashMap<>();
        for (String argument : arguments) {
            if (argument.isBlank()) {
                continue;
            }
            int equals = argument.indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException("not key=value: '" + argument + "'\n" + USAGE);
            }
            String key = argument.substring(0, equals).strip();
            String value = argument.substring(equals + 1).strip();
            if (key.startsWith("app.")) {
                app.put(key.substring(4), value);
            } else if (KEYS.contains(key)) {
                given.put(key, value);
            } else {
                throw new IllegalArgumentException("unknown option '" + key + "'\n" + USAGE);
            }
        }
        String protocol = choice(given, "protocol", "json", "json", "reliable");
        String store = choice(given, "store", "memory", "memory", "redis");
        boolean redisLost = Boolean.parseBoolean(given.getOrDefault("redis-lost", "false"));
        if (redisLost && !store.equals("redis")) {
            throw new IllegalArgumentException("redis-lost=true needs store=redis");
        }
        String hold = given.getOrDefault("hold-ms", "");
        String lock = given.getOrDefault("lock-ms", "");
        return new DrillOptions(number(given, "clients", 10, 1, 5000), number(given, "rate", 25, 1, 5000), protocol,
                store, redisLost, hold.isEmpty() ? null : (long) number(given, "hold-ms", 0, 0, Integer.MAX_VALUE),
                number(given, "warmup-s", 60, 1, 3600), number(given, "outage-s", 60, 1, 3600),
                number(given, "settle-s", 45, 1, 3600), number(given, "drain-s", 15, 0, 3600),
                number(given, "slack-ms", 2000, 0, 600_000),
                lock.isEmpty() ? null : number(given, "lock-ms", 0, 100, 600_000),
                Path.of(given.getOrDefault("output", "target/drill")), choice(given, "loss", "down", "down", "partition"),
                number(given, "publish-try-ms", 8000, 100, 600_000),
                choice(given, "client", "library", "library", "official"), app);
    }

    /** The variant's name: store, protocol and whether Redis was lost too. */
    public String variant() {
        return store + "-" + protocol + (client.equals("official") ? "-official" : "")
                + (loss.equals("partition") ? "-partition" : "") + (redisLost ? "-redis-lost" : "");
    }

    /** The settings the report prints: what was asked for. */
    public Map<String, Object> describe() {
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("clientsPerRegion", clients);
        options.put("ratePerPublisher", rate);
        options.put("protocol", protocol.equals("json") ? "json.webpubsub.azure.v1"
                : "json.reliable.webpubsub.azure.v1");
        options.put("store", store);
        options.put("redisLost", redisLost);
        options.put("holdMs", holdMs);
        options.put("warmupSeconds", warmupSeconds);
        options.put("outageSeconds", outageSeconds);
        options.put("settleSeconds", settleSeconds);
        options.put("drainSeconds", drainSeconds);
        options.put("slackMillis", slackMillis);
        options.put("lockMillis", lockMillis);
        options.put("loss", loss);
        options.put("client", client.equals("library") ? "@xregion/web-pubsub-client (clients/js)"
                : "@azure/web-pubsub-client alone");
        options.put("publishTryMillis", publishTryMillis);
        options.put("appProperties", appProperties);
        return options;
    }

    private static int number(Map<String, String> given, String key, int fallback, int min, int max) {
        String value = given.get(key);
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        try {
            int number = Integer.parseInt(value);
            if (number < min || number > max) {
                throw new IllegalArgumentException(key + " must be " + min + " to " + max + ", not " + value);
            }
            return number;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, not '" + value + "'");
        }
    }

    private static String choice(Map<String, String> given, String key, String fallback, String... allowed) {
        String value = given.getOrDefault(key, fallback).toLowerCase(Locale.ROOT);
        if (!List.of(allowed).contains(value)) {
            throw new IllegalArgumentException(key + " must be one of " + List.of(allowed) + ", not '" + value + "'");
        }
        return value;
    }
}
