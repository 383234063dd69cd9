package io.xregion.continuity;

/**
 * The bounded history of broadcasts, per stream: kept for a window of time and at most a number of messages.
 */
public interface MessageHistory {

    /** Keeps the message; its position. Throws when the history cannot be written (the caller goes on without). */
    Position append(String stream, HistoryEntry entry);

    /**
     * The messages after {@code after} (null: none, only the stream's newest position), or a gap when some of them
     * may be gone.
     */
    Replay after(String stream, Position after, int limit);

    /** memory or redis, for the logs and the status. */
    String kind();
}
