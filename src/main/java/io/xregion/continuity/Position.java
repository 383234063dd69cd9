package io.xregion.continuity;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.xregion.http.ApiException;

/**
 * A message's place in its stream: a Redis stream entry id ({@code <milliseconds>-<sequence>}) with the redis
 * history, {@code <epoch>-<counter>} with the memory history (the epoch is the process's start, so a position from
 * another process is told apart). Both order as pairs of numbers; {@link #ZERO} is before everything.
 */
public record Position(long major, long minor) implements Comparable<Position> {

    public static final Position ZERO = new Position(0, 0);

    private static final Pattern TEXT = Pattern.compile("(\\d{1,19})-(\\d{1,19})");

    /** A client's {@code after}: 400 when it is no position. */
    public static Position parse(String text) {
        Matcher matcher = text == null ? null : TEXT.matcher(text);
        if (matcher == null || !matcher.matches()) {
            throw ApiException.badRequest("after must be a position as a message carried it (<number>-<number>)");
        }
        try {
            return new Position(Long.parseLong(matcher.group(1)), Long.parseLong(matcher.group(2)));
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("after is out of range");
        }
    }

    @Override
    public int compareTo(Position other) {
        int major = Long.compareUnsigned(this.major, other.major);
        return major != 0 ? major : Long.compareUnsigned(this.minor, other.minor);
    }

    public boolean before(Position other) {
        return compareTo(other) < 0;
    }

    @Override
    public String toString() {
        return Long.toUnsignedString(major) + "-" + Long.toUnsignedString(minor);
    }
}
