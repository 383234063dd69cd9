package io.xregion.emulator.localazure;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A free port below the kernel's ephemeral range, for an instance or namespace given none. A port the kernel hands out
 * (port 0) lies in that range, and once the instance is taken down its port is free for the kernel to give to any
 * outgoing connection's local end: bringing the instance up again then fails with "Address already in use" (seen in
 * the suite on a busy machine). Below the range, only another listener asking for that very port can take it.
 */
final class QuietPorts {

    private static final Path RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int LOWEST = 20_000;
    private static final int TRIES = 50;

    private QuietPorts() {
    }

    /** A port free now on the host, below the ephemeral range; 0 (the kernel's choice) when none is found. */
    static int pick(String host) {
        int below = ephemeralLow();
        if (below <= LOWEST + 100) {
            return 0;
        }
        for (int i = 0; i < TRIES; i++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, below);
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(host))) {
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        return 0;
    }

    private static int ephemeralLow() {
        // read as a stream: Files.readString trusts the size /proc reports and returned "3" of "32768\t60999"
        try (var lines = Files.newBufferedReader(RANGE)) {
            return Integer.parseInt(lines.readLine().trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
