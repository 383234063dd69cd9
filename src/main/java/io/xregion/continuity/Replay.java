package io.xregion.continuity;

import java.util.List;

/**
 * What a history holds after a position.
 *
 * @param gap      true when messages after the position may have left the window (or the history was lost): the
 *                 client must re-sync by other means; {@code entries} is then empty
 * @param latest   the stream's newest position (null when the stream holds nothing)
 * @param entries  the messages after the position, oldest first, at most the limit asked for
 * @param more     true when there are more than {@code entries}
 */
public record Replay(boolean gap, Position latest, List<Stored> entries, boolean more) {

    /** A message and its position. */
    public record Stored(Position position, HistoryEntry entry) {
    }

    public static Replay gap(Position latest) {
        return new Replay(true, latest, List.of(), false);
    }
}
