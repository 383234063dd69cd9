package io.xregion.servicebus.dedup;

import java.time.Duration;
import java.util.List;

/**
 * The redis duplicate store's settings ({@code xregion.servicebus.dedup.*}, application.properties describes each).
 * {@link #toString()} leaves the access key out.
 *
 * @param hold how long to hold while Redis does not answer before degrading; negative: for ever, zero: not at all
 * @param firstPoll the first pause before another app server's claim is looked at again; each pause doubles, up to
 *                  {@code poll}
 */
public record DuplicateStoreSettings(List<RedisEndpoint> endpoints, String accessKey, String owner, String keyPrefix,
        Duration lease, Duration window, long maxEntries, Duration hold, Duration claimWait, Duration firstPoll,
        Duration poll, Duration probeInterval, Duration connectTimeout, Duration timeout, int maxConnections) {

    public DuplicateStoreSettings {
        endpoints = List.copyOf(endpoints);
    }

    @Override
    public String toString() {
        return "DuplicateStoreSettings[endpoints=" + endpoints + ", owner=" + owner + ", lease=" + lease + ", window="
                + window + ", hold=" + hold + ", claimWait=" + claimWait + "]";
    }
}
