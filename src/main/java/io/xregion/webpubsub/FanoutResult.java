package io.xregion.webpubsub;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What each instance made of one fanned-out request; the JSON answer of the broadcast API. */
public record FanoutResult(String operation, int accepted, Map<String, InstanceOutcome> instances) {

    /** One instance's outcome; in JSON the instance is the key, so it is left out of the value. */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public record InstanceOutcome(@com.fasterxml.jackson.annotation.JsonIgnore String instance, Status status,
            Integer httpStatus, String error) {

        /**
         * One outcome set for both services ({@code SendOutcomes} uses the same words): accepted: 2xx; refused: 4xx
         * (the request, not the instance, is at fault); unavailable: no answer or 5xx; timeout: no answer in time;
         * error: the call could not be made here (not the instance's fault); skipped: the instance is not healthy;
         * pending: the call was still in flight at the fan-out's deadline (the answer did not wait for it; it goes on,
         * bounded by the REST timeouts; not held against the instance, whose probes decide).
         */
        public enum Status {
            ACCEPTED, REFUSED, UNAVAILABLE, TIMEOUT, ERROR, SKIPPED, PENDING;

            @com.fasterxml.jackson.annotation.JsonValue
            public String wire() {
                return name().toLowerCase(java.util.Locale.ROOT);
            }
        }

        /** Whether this outcome suggests the instance itself is in trouble (and should count against its health). */
        @com.fasterxml.jackson.annotation.JsonIgnore
        public boolean outageSignal() {
            return status == Status.UNAVAILABLE || status == Status.TIMEOUT;
        }

        @com.fasterxml.jackson.annotation.JsonIgnore
        public String metricTag() {
            return status.wire();
        }
    }

    public static FanoutResult of(String operation, Map<String, InstanceOutcome> outcomes) {
        int accepted = (int) outcomes.values().stream().filter(o -> o.status() == InstanceOutcome.Status.ACCEPTED)
                .count();
        return new FanoutResult(operation, accepted, new LinkedHashMap<>(outcomes));
    }

    /** The outcomes as a list, for a split in a route. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public List<InstanceOutcome> outcomes() {
        return List.copyOf(instances.values());
    }
}
