package io.xregion.continuity;

/**
 * When a stream can no longer answer for what followed a position. A stream keeps its newest messages; what it
 * dropped (the window, the count) ends at its newest dropped position. A position older than the oldest one held is
 * answerable only when it is exactly that newest dropped one (the client saw the last message that left, and nothing
 * after it left); otherwise something after it left, or it comes from a history that is gone (e.g. a Redis that lost
 * its data, a stream that expired while idle).
 */
final class Gaps {

    private Gaps() {
    }

    static boolean gap(Position after, Position oldestHeld, Position newestDropped) {
        return after.before(oldestHeld) && !after.equals(newestDropped);
    }
}
