package io.xregion.webpubsub;

/**
 * One REST call to make on several instances at once.
 *
 * @param operation what it is, for metrics and answers (broadcast, failback-close)
 * @param path      the encoded request path, e.g. {@code /api/hubs/chat/groups/room%201/:send}
 * @param rawQuery  the encoded query, api-version included
 * @param audience  which instances get it
 */
public record WebPubSubRequest(String operation, String path, String rawQuery, Audience audience) {

    /** Which instances a request is meant for; of these, it goes to the healthy ones. */
    public enum Audience {
        /** every instance: broadcasts */
        ALL,
        /** every instance but the primary: failback closes, which move clients off the secondaries */
        SECONDARIES;

        public boolean includes(WebPubSubInstance instance) {
            return this == ALL || instance.role() == InstanceRole.SECONDARY;
        }
    }
}
