package io.xregion.drill;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.xregion.testing.WsClient;

/**
 * The drill's report: what was run, the figures, and each target against its figure; a table for the terminal and
 * the same as JSON ({@code report-<variant>.json} in the run's directory, and a copy next to it in the output
 * directory).
 */
final class DrillReport {

    /** One target: what it asks, the figure, and whether it held (null: not applicable to this variant). */
    record Target(String name, String target, String figure, Boolean met) {
    }

    private final Map<String, Object> json;
    private final List<Target> targets;
    private final Path directory;
    private final Path output;
    private final String variant;

    private DrillReport(Map<String, Object> json, List<Target> targets, Path directory, Path output,
            String variant) {
        this.json = json;
        this.targets = targets;
        this.directory = directory;
        this.output = output;
        this.variant = variant;
    }

    Map<String, Object> json() {
        return json;
    }

    List<Target> targets() {
        return targets;
    }

    @SuppressWarnings("unchecked")
    Object figure(String section, String key) {
        return ((Map<String, Object>) json.get(section)).get(key);
    }

    Path file() {
        return directory.resolve("report-" + variant + ".json");
    }

    void write() throws IOException {
        byte[] bytes = WsClient.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(json);
        Files.write(file(), bytes);
        Files.write(output.resolve("report-" + variant + ".json"), bytes);
    }

    /** The report as a table: each figure, then each target against its figure. */
    @SuppressWarnings("unchecked")
    String table() {
        StringBuilder table = new StringBuilder();
        table.append("\nRegion-loss drill: ").append(variant).append("  (").append(json.get("date")).append(")\n");
        for (String section : List.of("options", "detection", "orphans", "survivors", "messages", "publishing",
                "latency", "delivery", "stranded", "failback", "store")) {
            table.append("\n").append(section).append("\n");
            ((Map<String, Object>) json.get(section)).forEach((key, value) -> {
                if (!(value instanceof List<?>) && !(value instanceof Map<?, ?> map && map.size() > 6)) {
                    table.append(String.format("  %-34s %s%n", key, value));
                }
            });
        }
        table.append("\ntargets\n");
        table.append(String.format("  %-38s %-40s %-42s %s%n", "target", "wanted", "figure", "verdict"));
        for (Target target : targets) {
            table.append(String.format("  %-38s %-40s %-42s %s%n", target.name(), target.target(), target.figure(),
                    target.met() == null ? "n/a" : target.met() ? "MET" : "MISSED"));
        }
        return table.toString();
    }

    /** Collects the run's raw material; {@link #build} computes the figures. */
    static final class Builder {
        private final DrillOptions options;
        private final Path directory;
        private final Map<String, String> settings;
        private final Map<String, Object> store = new LinkedHashMap<>();
        private List<JsonNode> clients = List.of();
        private List<JsonNode> connects = List.of();
        private List<JsonNode> disconnects = List.of();
        private final Map<String, List<Publisher.Publish>> publishes = new LinkedHashMap<>();
        private int stranded;
        private Double eastOutboxAfterRestart;
        private boolean westAlive;
        private JsonNode delivered;
        private JsonNode latency;
        private int leftEast = -1;
        private int leftWest = -1;

        Builder(DrillOptions options, Path directory, Map<String, String> settings) {
            this.options = options;
            this.directory = directory;
            this.settings = settings;
            store.put("requested", options.store());
        }

        void redisKeysBeforeLoss(String answer) {
            store.put("redisKeysBeforeLoss", redisInteger(answer));
        }

        void redisKeysAtEnd(String answer) {
            store.put("redisKeysAtEnd", redisInteger(answer));
        }

        void stranded(int messages) {
            stranded = messages;
        }

        void eastOutboxAfterRestart(Double depth) {
            eastOutboxAfterRestart = depth;
        }

        void westStillDelivering(boolean alive) {
            westAlive = alive;
        }

        void leftInServiceBus(int east, int west) {
            leftEast = east;
            leftWest = west;
        }

        void clients(List<JsonNode> reports, JsonNode firstReceived, List<JsonNode> connected,
                List<JsonNode> disconnected) {
            clients = reports;
            delivered = firstReceived;
            connects = connected;
            disconnects = disconnected;
        }

        void latency(JsonNode phases) {
            latency = phases;
        }

        void publishers(List<Publisher> publishers) {
            publishers.forEach(p -> publishes(p.region, p.publishes()));
        }

        void publishes(String region, List<Publisher.Publish> outcomes) {
            publishes.put(region, outcomes);
        }

        private static Long redisInteger(String answer) {
            return answer.startsWith(":") ? Long.parseLong(answer.substring(1)) : null;
        }

        DrillReport build(RegionLossDrill.Timeline t) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("date", Instant.now().toString());
            json.put("variant", options.variant());
            json.put("options", options.describe());
            List<Target> targets = new ArrayList<>();

            // detection: the survivor's gauge xregion.webpubsub.instance.up{instance=eastus} at 0
            long interval = number("xregion.webpubsub.health.interval-ms");
            boolean shippedHealth = options.appProperties().keySet().stream()
                    .noneMatch(k -> k.startsWith("xregion.webpubsub.health."));
            Map<String, Object> detection = new LinkedHashMap<>();
            Long detectionMs = t.detected == 0 ? null : t.detected - t.lost;
            detection.put("detectedMs", detectionMs);
            detection.put("healthIntervalMs", interval);
            detection.put("healthTimeoutMs", number("xregion.webpubsub.health.timeout-ms"));
            detection.put("failureThreshold", number("xregion.webpubsub.health.failure-threshold"));
            detection.put("shippedHealthSettings", shippedHealth);
            json.put("detection", detection);
            targets.add(new Target("detection" + (shippedHealth ? " (shipped defaults)" : " (health overridden)"),
                    "<= 2000 ms", detectionMs == null ? "not detected" : detectionMs + " ms",
                    shippedHealth ? detectionMs != null && detectionMs <= 2000 : null));

            // orphans: clients on the eastus instance when it was lost, until each receives again
            List<Long> orphanRecovery = new ArrayList<>();
            List<Long> survivorPause = new ArrayList<>();
            List<Long> survivorGap = new ArrayList<>();
            int orphans = 0;
            int orphansNotRecovered = 0;
            for (JsonNode client : clients) {
                JsonNode mark = client.at("/marks/lost");
                if (mark.isMissingNode()) {
                    continue;
                }
                boolean orphan = RegionLossDrill.EAST.equals(mark.path("region").asText());
                long first = mark.path("firstReceive").asLong(0);
                if (orphan) {
                    orphans++;
                    if (first == 0) {
                        orphansNotRecovered++;
                    } else {
                        orphanRecovery.add(first - mark.path("t").asLong());
                    }
                } else if (first != 0) {
                    survivorPause.add(first - mark.path("t").asLong());
                    survivorGap.add(mark.path("longestGap").asLong());
                }
            }
            Map<String, Object> orphansJson = new LinkedHashMap<>();
            orphansJson.put("orphanedClients", orphans);
            orphansJson.put("recovered", orphans - orphansNotRecovered);
            orphansJson.putAll(percentiles("recoveryMs", orphanRecovery));
            json.put("orphans", orphansJson);
            Map<String, Object> survivors = new LinkedHashMap<>();
            survivors.put("clients", survivorPause.size());
            survivors.putAll(percentiles("firstMessageAfterLossMs", survivorPause));
            survivors.putAll(percentiles("longestSilenceAfterLossMs", survivorGap));
            survivors.put("westAppServerAlive", westAlive);
            json.put("survivors", survivors);
            Long orphanMax = (Long) orphansJson.get("recoveryMsMax");
            targets.add(new Target("orphans receive again (" + options.protocol() + ")", "all, within 2000 ms",
                    (orphans - orphansNotRecovered) + " of " + orphans + ", max " + orphanMax + " ms",
                    orphans > 0 && orphansNotRecovered == 0 && orphanMax != null && orphanMax <= 2000));
            Long silence = (Long) survivors.get("longestSilenceAfterLossMsMax");
            targets.add(new Target("survivors' longest silence", "<= 500 ms", silence == null ? "no survivor"
                    : silence + " ms", silence != null && silence <= 500));

            // messages: what the publishers got back
            Map<String, Object> messages = new LinkedHashMap<>();
            int published = 0;
            int sent = 0;
            int queued = 0;
            int refused = 0;
            int noAnswer = 0;
            Map<String, Map<String, Object>> byPublisher = new LinkedHashMap<>();
            for (Map.Entry<String, List<Publisher.Publish>> entry : publishes.entrySet()) {
                Map<String, Object> counts = new LinkedHashMap<>();
                Map<Publisher.Outcome, Integer> outcomes = new TreeMap<>();
                entry.getValue().forEach(p -> outcomes.merge(p.outcome(), 1, Integer::sum));
                counts.put("published", entry.getValue().size());
                outcomes.forEach((o, n) -> counts.put(o.name().toLowerCase(java.util.Locale.ROOT), n));
                Map<String, Integer> why = new TreeMap<>();
                entry.getValue().stream().filter(p -> !p.accepted()).forEach(p -> why.merge(p.outcome() + " "
                        + p.detail(), 1, Integer::sum));
                counts.put("notAccepted", why);
                byPublisher.put(entry.getKey(), counts);
                published += entry.getValue().size();
                sent += outcomes.getOrDefault(Publisher.Outcome.SENT, 0);
                queued += outcomes.getOrDefault(Publisher.Outcome.QUEUED, 0);
                refused += outcomes.getOrDefault(Publisher.Outcome.REFUSED, 0);
                noAnswer += outcomes.getOrDefault(Publisher.Outcome.NO_ANSWER, 0);
            }
            messages.put("published", published);
            messages.put("accepted", sent + queued);
            messages.put("sent", sent);
            messages.put("queuedInAnOutbox", queued);
            messages.put("neverAccepted", refused + noAnswer);
            messages.put("refused", refused);
            messages.put("noAnswer", noAnswer);
            messages.put("eastOutboxDepthAfterRestart", eastOutboxAfterRestart);
            messages.put("byPublisher", byPublisher);
            json.put("messages", messages);
            json.put("publishing", publishing(t, targets));
            json.put("latency", latencyFigures(targets));

            // delivery: per client, the accepted messages each of its connections should have had, and duplicates
            Map<String, Object> delivery = delivery(t);
            json.put("delivery", delivery);
            long missing = ((Number) delivery.get("missingTotal")).longValue();
            long duplicates = ((Number) delivery.get("duplicatesTotal")).longValue();
            Long redisKeys = (Long) store.get("redisKeysBeforeLoss");
            boolean redisInUse = options.store().equals("redis") && redisKeys != null && redisKeys > 0;
            store.put("redisInUse", redisInUse);
            json.put("store", store);
            long byNoOne = ((Number) delivery.get("acceptedReceivedByNoClient")).longValue();
            String exactly = missing + " missing, " + byNoOne + " unreceived, " + duplicates + " duplicated";
            if (options.store().equals("redis") && !options.redisLost()) {
                targets.add(new Target("exactly once (Redis store)", "0 missing, 0 unreceived, 0 duplicated",
                        redisInUse ? exactly : "Redis not used by the app", redisInUse ? missing == 0 && byNoOne == 0
                        && duplicates == 0 : Boolean.FALSE));
            } else {
                targets.add(new Target("exactly once", "only with the Redis store, Redis kept", exactly, null));
                targets.add(new Target("nothing accepted lost", "0 missing, 0 unreceived", missing + " missing, "
                        + byNoOne + " unreceived", missing == 0 && byNoOne == 0));
            }

            // stranded copies: the eastus namespace's messages when it came back, until none is left
            Map<String, Object> strandedJson = new LinkedHashMap<>();
            strandedJson.put("copiesWhenRestored", stranded);
            strandedJson.put("drainedMs", t.strandedDrained == 0 ? null : t.strandedDrained - t.restored);
            strandedJson.put("leftInEastusAtEnd", leftEast);
            strandedJson.put("leftInWestusAtEnd", leftWest);
            json.put("stranded", strandedJson);

            json.put("failback", failback(t, targets));
            Map<String, Object> timeline = new LinkedHashMap<>();
            timeline.put("trafficStarted", t.trafficStarted);
            timeline.put("lost", t.lost);
            timeline.put("detected", t.detected);
            timeline.put("restored", t.restored);
            timeline.put("eastAppServerReady", t.eastReady);
            timeline.put("publishersStopped", t.publishersStopped);
            timeline.put("reported", t.reported);
            json.put("timeline", timeline);
            List<Map<String, Object>> targetJson = new ArrayList<>();
            for (Target target : targets) {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("name", target.name());
                one.put("target", target.target());
                one.put("figure", target.figure());
                one.put("met", target.met());
                targetJson.add(one);
            }
            json.put("targets", targetJson);
            json.put("logs", directory.toString());
            return new DrillReport(json, targets, directory, options.output().toAbsolutePath(), options.variant());
        }

        /**
         * The surviving region's publishing while eastus was lost (from the loss to the restore): its publisher's
         * tries at its own app server, which must all be taken, quickly; and how the lost region's publisher fared
         * through its global front.
         */
        private Map<String, Object> publishing(RegionLossDrill.Timeline t, List<Target> targets) {
            Map<String, Object> figures = new LinkedHashMap<>();
            List<Long> survivorMillis = new ArrayList<>();
            int survivorTries = 0;
            int survivorRefused = 0;
            Map<String, Integer> survivorWhy = new TreeMap<>();
            for (Publisher.Publish publish : publishes.getOrDefault(RegionLossDrill.WEST, List.of())) {
                if (publish.sentAt() < t.lost || publish.sentAt() >= t.restored || publish.tries().isEmpty()) {
                    continue;
                }
                Publisher.Try own = publish.tries().get(0);
                survivorTries++;
                survivorMillis.add(own.millis());
                if (!own.accepted()) {
                    survivorRefused++;
                    survivorWhy.merge(own.outcome() + " " + own.detail(), 1, Integer::sum);
                }
            }
            figures.put("survivorPublishes", survivorTries);
            figures.put("survivorRefused", survivorRefused);
            figures.put("survivorRefusedWhy", survivorWhy);
            figures.putAll(percentiles("survivorPublishMs", survivorMillis));
            figures.put("survivorPublishMsP99", at(survivorMillis.stream().sorted().toList(), 0.99));
            Map<String, Integer> lostRegion = new TreeMap<>();
            for (Publisher.Publish publish : publishes.getOrDefault(RegionLossDrill.EAST, List.of())) {
                if (publish.sentAt() >= t.lost && publish.sentAt() < t.restored) {
                    Publisher.Try last = publish.tries().isEmpty() ? null : publish.tries().get(
                            publish.tries().size() - 1);
                    lostRegion.merge(last == null ? "none" : (last.accepted() ? "accepted by " + last.region()
                            : "not accepted"), 1, Integer::sum);
                }
            }
            figures.put("lostRegionPublisher", lostRegion);
            Long p99 = (Long) figures.get("survivorPublishMsP99");
            targets.add(new Target("survivor's publishes refused", "0", survivorRefused + " of " + survivorTries,
                    survivorTries > 0 && survivorRefused == 0));
            targets.add(new Target("survivor's publish latency p99", "<= 250 ms", p99 == null ? "none" : p99 + " ms",
                    p99 != null && p99 <= 250));
            return figures;
        }

        /**
         * End-to-end latency (sent → received, every receipt) of the messages sent during the start, in the steady state
         * before the loss, and after the start ("all"), and the latest receipt of a message sent after the start.
         */
        private Map<String, Object> latencyFigures(List<Target> targets) {
            Map<String, Object> figures = new LinkedHashMap<>();
            Map<Long, Long> all = new TreeMap<>();
            Map<Long, Long> steady = new TreeMap<>();
            Map<Long, Long> start = new TreeMap<>();
            if (latency != null) {
                // phases by when a message was sent: "start" (fresh JVMs), "steady", then the loss and the restore
                latency.fields().forEachRemaining(phase -> {
                    for (JsonNode pair : phase.getValue()) {
                        Map<Long, Long> into = phase.getKey().equals("start") ? start : all;
                        into.merge(pair.get(0).asLong(), pair.get(1).asLong(), Long::sum);
                        if (phase.getKey().equals("steady")) {
                            steady.merge(pair.get(0).asLong(), pair.get(1).asLong(), Long::sum);
                        }
                    }
                });
            }
            figures.put("startE2eMsP50", quantile(start, 0.50));
            figures.put("startE2eMsP99", quantile(start, 0.99));
            figures.put("startE2eMsMax", start.isEmpty() ? null : ((TreeMap<Long, Long>) start).lastKey());
            figures.put("steadyE2eMsP50", quantile(steady, 0.50));
            figures.put("steadyE2eMsP99", quantile(steady, 0.99));
            figures.put("allE2eMsP50", quantile(all, 0.50));
            figures.put("allE2eMsP99", quantile(all, 0.99));
            figures.put("allE2eMsMax", all.isEmpty() ? null : ((TreeMap<Long, Long>) all).lastKey());
            JsonNode latest = null;
            for (JsonNode client : clients) {
                JsonNode mine = client.path("latest");
                if (latest == null || mine.path("ms").asLong() > latest.path("ms").asLong()) {
                    latest = mine;
                }
            }
            Long latenessMs = latest == null ? null : latest.path("ms").asLong();
            figures.put("latestReceiptMs", latenessMs);
            figures.put("latestReceiptMessage", latest == null ? null : latest.path("message").asText());
            Long steadyP99 = (Long) figures.get("steadyE2eMsP99");
            targets.add(new Target("e2e latency p99 before the loss", "<= 250 ms", steadyP99 == null ? "none"
                    : steadyP99 + " ms", steadyP99 != null && steadyP99 <= 250));
            targets.add(new Target("latest accepted message's lateness", "<= 15000 ms", latenessMs == null ? "none"
                    : latenessMs + " ms (" + figures.get("latestReceiptMessage") + ")", latenessMs != null
                    && latenessMs <= 15000));
            return figures;
        }

        private static Long quantile(Map<Long, Long> histogram, double quantile) {
            long total = histogram.values().stream().mapToLong(Long::longValue).sum();
            if (total == 0) {
                return null;
            }
            long rank = (long) Math.ceil(quantile * total);
            long seen = 0;
            for (Map.Entry<Long, Long> bucket : histogram.entrySet()) {
                seen += bucket.getValue();
                if (seen >= rank) {
                    return bucket.getKey();
                }
            }
            return null;
        }

        private Map<String, Object> delivery(RegionLossDrill.Timeline t) {
            Map<Integer, List<long[]>> intervals = new HashMap<>();
            List<JsonNode> events = new ArrayList<>(connects);
            events.addAll(disconnects);
            events.sort(Comparator.comparingLong(e -> e.path("t").asLong()));
            Map<Integer, Long> open = new HashMap<>();
            for (JsonNode event : events) {
                int client = event.path("client").asInt();
                long at = event.path("t").asLong();
                if ("connected".equals(event.path("event").asText())) {
                    Long previous = open.put(client, at);
                    if (previous != null) {
                        intervals.computeIfAbsent(client, c -> new ArrayList<>()).add(new long[] {previous, at});
                    }
                } else {
                    // a closed connection counts until its last message: a dead connection the client had not
                    // noticed yet (a reliable one trying to recover) could receive nothing
                    Long start = open.remove(client);
                    if (start != null) {
                        long last = event.path("lastReceive").isNumber() ? event.path("lastReceive").asLong() : start;
                        intervals.computeIfAbsent(client, c -> new ArrayList<>()).add(new long[] {start,
                                Math.min(at, last)});
                    }
                }
            }
            open.forEach((client, start) -> intervals.computeIfAbsent(client, c -> new ArrayList<>())
                    .add(new long[] {start, t.reported}));

            Map<String, BitSet> anyone = new HashMap<>();
            long missingTotal = 0;
            long duplicatesTotal = 0;
            int clientsMissing = 0;
            int clientsWithDuplicates = 0;
            long maxMissing = 0;
            long maxDuplicates = 0;
            long expectedTotal = 0;
            Map<String, Long> missingByHome = new TreeMap<>();
            List<String> examples = new ArrayList<>();
            Map<String, Long> duplicatesByHome = new TreeMap<>();
            for (JsonNode client : clients) {
                int index = client.path("client").asInt();
                String home = client.path("userId").asText().split("-")[1];
                long missing = 0;
                long duplicates = 0;
                for (Map.Entry<String, List<Publisher.Publish>> entry : publishes.entrySet()) {
                    BitSet received = new BitSet();
                    for (JsonNode range : client.at("/received/" + entry.getKey())) {
                        received.set(range.get(0).asInt(), range.get(1).asInt() + 1);
                    }
                    anyone.computeIfAbsent(entry.getKey(), k -> new BitSet()).or(received);
                    for (JsonNode duplicate : client.at("/duplicates/" + entry.getKey())) {
                        duplicates += duplicate.get(1).asInt() - 1;
                    }
                    JsonNode firstReceived = delivered.path(entry.getKey());
                    for (Publisher.Publish publish : entry.getValue()) {
                        long at = firstReceived.path(publish.sequence()).asLong(0);
                        if (publish.accepted() && at > 0 && expected(intervals.getOrDefault(index, List.of()), at)) {
                            expectedTotal++;
                            if (!received.get(publish.sequence())) {
                                missing++;
                                if (examples.size() < 30) {
                                    examples.add(client.path("userId").asText() + " missed " + entry.getKey() + ":"
                                            + publish.sequence() + " sent " + (publish.sentAt() - t.lost)
                                            + " ms after the loss, first received by a client at " + (at - t.lost)
                                            + " ms; its connections (ms after the loss): "
                                            + intervals.getOrDefault(index, List.of()).stream().map(i -> "["
                                            + (i[0] - t.lost) + ", " + (i[1] - t.lost) + "]").toList());
                                }
                            }
                        }
                    }
                }
                missingTotal += missing;
                duplicatesTotal += duplicates;
                clientsMissing += missing > 0 ? 1 : 0;
                clientsWithDuplicates += duplicates > 0 ? 1 : 0;
                maxMissing = Math.max(maxMissing, missing);
                maxDuplicates = Math.max(maxDuplicates, duplicates);
                missingByHome.merge(home, missing, Long::sum);
                duplicatesByHome.merge(home, duplicates, Long::sum);
            }
            long acceptedByNoOne = 0;
            List<String> unreceived = new ArrayList<>();
            for (Map.Entry<String, List<Publisher.Publish>> entry : publishes.entrySet()) {
                BitSet seen = anyone.getOrDefault(entry.getKey(), new BitSet());
                for (Publisher.Publish p : entry.getValue()) {
                    if (p.accepted() && !seen.get(p.sequence())) {
                        acceptedByNoOne++;
                        if (unreceived.size() < 50) {
                            unreceived.add(entry.getKey() + ":" + p.sequence() + " sent " + (p.sentAt() - t.lost)
                                    + " ms after the loss, answered " + (p.answeredAt() - p.sentAt()) + " ms later: "
                                    + p.detail());
                        }
                    }
                }
            }
            Map<String, Object> delivery = new LinkedHashMap<>();
            delivery.put("clients", clients.size());
            delivery.put("expectedDeliveries", expectedTotal);
            delivery.put("missingTotal", missingTotal);
            delivery.put("clientsMissingAny", clientsMissing);
            delivery.put("missingMaxPerClient", maxMissing);
            delivery.put("duplicatesTotal", duplicatesTotal);
            delivery.put("clientsWithDuplicates", clientsWithDuplicates);
            delivery.put("duplicatesMaxPerClient", maxDuplicates);
            delivery.put("acceptedReceivedByNoClient", acceptedByNoOne);
            delivery.put("acceptedReceivedByNoClientFirst50", unreceived);
            delivery.put("missingByHome", missingByHome);
            delivery.put("missingFirst30", examples);
            delivery.put("duplicatesByHome", duplicatesByHome);
            return delivery;
        }

        /**
         * A connection should get a message that was delivered (first received by any client) while it was open, at
         * least the slack after it opened and before it closed (a closed one: before its last message; the one
         * still open at the end: before the report).
         */
        private boolean expected(List<long[]> intervals, long deliveredAt) {
            for (long[] interval : intervals) {
                if (deliveredAt >= interval[0] + options.slackMillis()
                        && deliveredAt + options.slackMillis() <= interval[1]) {
                    return true;
                }
            }
            return false;
        }

        private Map<String, Object> failback(RegionLossDrill.Timeline t, List<Target> targets) {
            long shards = number("xregion.webpubsub.home-groups.shards");
            long pace = number("xregion.webpubsub.failback.pace-ms");
            long interval = number("xregion.webpubsub.health.interval-ms");
            int eastHome = 0;
            int home = 0;
            for (JsonNode client : clients) {
                if (client.path("userId").asText().startsWith("drill-" + RegionLossDrill.EAST + "-")) {
                    eastHome++;
                    if (RegionLossDrill.EAST.equals(client.path("region").asText())) {
                        home++;
                    }
                }
            }
            Map<Integer, Long> cameHome = new HashMap<>();
            Map<Long, Integer> perSecond = new TreeMap<>();
            for (JsonNode connect : connects) {
                long at = connect.path("t").asLong();
                if (at < t.restored) {
                    continue;
                }
                perSecond.merge((at - t.restored) / 1000, 1, Integer::sum);
                if (RegionLossDrill.EAST.equals(connect.path("region").asText())) {
                    cameHome.merge(connect.path("client").asInt(), at, Math::max);
                }
            }
            Long lastHome = cameHome.values().stream().max(Long::compare).orElse(null);
            Map<String, Object> failback = new LinkedHashMap<>();
            failback.put("eastHomeClients", eastHome);
            failback.put("clientsHome", home);
            failback.put("lastHomeAfterAppServerReadyMs", lastHome == null ? null : lastHome - t.eastReady);
            failback.put("appServerRestartMs", t.eastReady - t.restored);
            failback.put("peakReconnectsPerSecond", perSecond.values().stream().max(Integer::compare).orElse(0));
            failback.put("shards", shards);
            failback.put("paceMs", pace);
            failback.put("healthIntervalMs", interval);
            long bound = shards * pace + interval;
            failback.put("boundMs", bound);
            targets.add(new Target("failback (shards x pace + interval)", home + " of " + eastHome + " home in <= "
                    + bound + " ms", home + " home" + (lastHome == null ? "" : ", last after " + (lastHome
                    - t.eastReady) + " ms"), eastHome > 0 && home == eastHome && lastHome != null
                    && lastHome - t.eastReady <= bound));
            return failback;
        }

        private long number(String key) {
            return Long.parseLong(settings.get(key));
        }

        private static Map<String, Object> percentiles(String name, List<Long> values) {
            Map<String, Object> figures = new LinkedHashMap<>();
            List<Long> sorted = values.stream().sorted().toList();
            figures.put(name + "P50", at(sorted, 0.50));
            figures.put(name + "P95", at(sorted, 0.95));
            figures.put(name + "Max", sorted.isEmpty() ? null : sorted.get(sorted.size() - 1));
            return figures;
        }

        private static Long at(List<Long> sorted, double quantile) {
            if (sorted.isEmpty()) {
                return null;
            }
            return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(quantile * sorted.size()) - 1));
        }
    }
}
