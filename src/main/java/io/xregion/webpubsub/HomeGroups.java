package io.xregion.webpubsub;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;
import java.util.zip.CRC32;

/**
 * The groups that record which region a client belongs to: {@code <prefix>.<home>.<shard>}. Negotiate puts every
 * client in one shard group of its home (the {@code home} it names, a region it failed over from, else this app
 * server's primary), so the failback of that region's app server can later close, on a secondary, only the clients
 * that belong back on its primary, one shard at a time.
 */
public final class HomeGroups {

    private final String prefix;
    private final String home;
    private final int shards;

    public HomeGroups(String prefix, String home, int shards) {
        if (shards < 1) {
            throw new IllegalArgumentException("home group shards must be at least 1");
        }
        this.prefix = prefix;
        this.home = home;
        this.shards = shards;
    }

    /** The home group of a client of this app server's own region. */
    public String groupFor(String userId) {
        return groupFor(home, userId);
    }

    /** A user always lands in the same shard (stable across reconnects); anonymous clients in a random one. */
    public String groupFor(String clientHome, String userId) {
        int shard;
        if (userId == null) {
            shard = ThreadLocalRandom.current().nextInt(shards);
        } else {
            CRC32 crc = new CRC32();
            crc.update(userId.getBytes(StandardCharsets.UTF_8));
            shard = (int) (crc.getValue() % shards);
        }
        return prefix + "." + clientHome + "." + shard;
    }

    /** This app server's own region: the home of clients that name none. */
    public String home() {
        return home;
    }

    /** Every shard group of this app server's home, in shard order: what its failback closes. */
    public List<String> all() {
        return IntStream.range(0, shards).mapToObj(shard -> prefix + "." + home + "." + shard).toList();
    }
}
