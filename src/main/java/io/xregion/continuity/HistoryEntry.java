package io.xregion.continuity;

/**
 * One broadcast as the history keeps it: what a resuming client needs to see it as the live ones did.
 *
 * @param id       the message's id (the Service Bus MessageId)
 * @param dataType json, text or binary (Web PubSub's data types)
 * @param data     the message's bytes
 */
public record HistoryEntry(String id, String dataType, byte[] data) {
}
