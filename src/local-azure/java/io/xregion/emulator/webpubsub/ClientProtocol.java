package io.xregion.emulator.webpubsub;

import java.util.List;

/** The WebSocket subprotocols the emulator speaks; RAW is a plain WebSocket without one. */
enum ClientProtocol {
    RAW(null, false),
    JSON("json.webpubsub.azure.v1", false),
    JSON_RELIABLE("json.reliable.webpubsub.azure.v1", true);

    static final List<String> SUBPROTOCOLS = List.of(JSON.subprotocol, JSON_RELIABLE.subprotocol);

    final String subprotocol;
    final boolean reliable;

    ClientProtocol(String subprotocol, boolean reliable) {
        this.subprotocol = subprotocol;
        this.reliable = reliable;
    }

    /**
     * The protocol for the client's offer: the first offered subprotocol the emulator speaks (as the service and
     * Netty's handshaker choose), RAW when none is offered, null when only unknown ones are.
     */
    static ClientProtocol negotiate(String offered) {
        if (offered == null || offered.isBlank()) {
            return RAW;
        }
        for (String candidate : offered.split(",")) {
            String name = candidate.trim();
            for (ClientProtocol protocol : values()) {
                if (name.equals(protocol.subprotocol)) {
                    return protocol;
                }
            }
        }
        return null;
    }
}
