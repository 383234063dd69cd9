package io.xregion.continuity;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.xregion.servicebus.dedup.RedisConnections;

/**
 * The history in Redis Streams, shared by every app server (the redis duplicate store's Redis): one stream per
 * xregion stream, key {@code <prefix><stream>}. A write is one script: XADD (the entry id is the position), trimmed
 * to the newest {@code max-messages} (MAXLEN ~) and to the window (MINID ~, by the Redis server's clock), and the key
 * expires a window after its last write. {@code ~} trims whole stream nodes only, which is far cheaper: a stream may
 * hold a little more than the window or the count, never less. A read is one script too, so what it finds and what it
 * says about dropped messages (XINFO STREAM's max-deleted-entry-id, Redis 7.0) are of the same moment.
 */
public final class RedisHistory implements MessageHistory {

    static final String APPEND = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'id', ARGV[3], 'type', ARGV[4],
                'data', ARGV[5])
            redis.call('XTRIM', KEYS[1], 'MINID', '~', tostring(now - tonumber(ARGV[2])) .. '-0')
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            return id""";

    /** {'missing'}, or {oldest held, newest dropped, newest, entries after ARGV[1] (at most ARGV[2])}. */
    static final String AFTER = """
            if redis.call('EXISTS', KEYS[1]) == 0 then return {'missing'} end
            local info = redis.call('XINFO', 'STREAM', KEYS[1])
            local dropped, newest = '0-0', '0-0'
            for i = 1, #info, 2 do
              if info[i] == 'max-deleted-entry-id' then dropped = info[i + 1] end
              if info[i] == 'last-generated-id' then newest = info[i + 1] end
            end
            local oldest = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1][1]
            local entries = {}
            if ARGV[1] ~= '' then entries = redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+', 'COUNT', ARGV[2]) end
            return {oldest, dropped, newest, entries}""";

    private final RedisConnections redis;
    private final String keyPrefix;
    private final Duration window;
    private final int maxMessages;

    public RedisHistory(RedisConnections redis, String keyPrefix, Duration window, int maxMessages) {
        this.redis = redis;
        this.keyPrefix = keyPrefix;
        this.window = window;
        this.maxMessages = maxMessages;
    }

    @Override
    public Position append(String stream, HistoryEntry entry) {
        byte[] id = redis.run(jedis -> (byte[]) jedis.eval(APPEND.getBytes(StandardCharsets.UTF_8), List.of(key(
                stream)), List.of(bytes(Integer.toString(maxMessages)), bytes(Long.toString(window.toMillis())),
                bytes(entry.id()), bytes(entry.dataType()), entry.data())));
        return Position.parse(new String(id, StandardCharsets.UTF_8));
    }

    @Override
    @SuppressWarnings("unchecked")
    public Replay after(String stream, Position after, int limit) {
        List<Object> answer = redis.run(jedis -> (List<Object>) jedis.eval(AFTER.getBytes(StandardCharsets.UTF_8),
                List.of(key(stream)), List.of(bytes(after == null ? "" : after.toString()),
                        bytes(Integer.toString(limit + 1)))));
        if (answer.size() == 1) {
            return after == null || after.equals(Position.ZERO) ? new Replay(false, null, List.of(), false)
                    : Replay.gap(null);
        }
        Position oldest = position(answer.get(0));
        Position dropped = position(answer.get(1));
        Position newest = position(answer.get(2));
        if (after == null) {
            return new Replay(false, newest, List.of(), false);
        }
        if (Gaps.gap(after, oldest, dropped)) {
            return Replay.gap(newest);
        }
        List<Replay.Stored> entries = new ArrayList<>();
        for (Object each : (List<Object>) answer.get(3)) {
            if (entries.size() == limit) {
                return new Replay(false, newest, entries, true);
            }
            List<Object> item = (List<Object>) each;
            List<Object> fields = (List<Object>) item.get(1);
            String id = null;
            String type = null;
            byte[] data = null;
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                switch (text(fields.get(i))) {
                    case "id" -> id = text(fields.get(i + 1));
                    case "type" -> type = text(fields.get(i + 1));
                    case "data" -> data = (byte[]) fields.get(i + 1);
                    default -> {
                        // a field of a later version: ignored
                    }
                }
            }
            entries.add(new Replay.Stored(position(item.get(0)), new HistoryEntry(id, type, data)));
        }
        return new Replay(false, newest, entries, false);
    }

    @Override
    public String kind() {
        return "redis";
    }

    private byte[] key(String stream) {
        return bytes(keyPrefix + stream);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(Object value) {
        return new String((byte[]) value, StandardCharsets.UTF_8);
    }

    private static Position position(Object value) {
        return Position.parse(text(value));
    }
}
