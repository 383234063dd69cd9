package io.xregion.identity;

import java.util.OptionalLong;

import io.vertx.core.net.SocketAddress;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

import io.xregion.http.ApiException;

/**
 * The gate in front of negotiate: who the caller is (the identity mode) and whether they may negotiate now (a rate
 * limit per client address, then per user). Once through, the {@code userId} header holds the established user (in
 * modes jwt and header never the one the query asked for) and the {@value ClientIdentity#VARIABLE} variable the
 * whole identity.
 */
public final class NegotiateGate {

    /** The header Camel's Vert.x platform-http puts the TCP peer's address in. */
    private static final String REMOTE_ADDRESS = "CamelVertxPlatformHttpRemoteAddress";

    private final IdentityMode mode;
    private final BearerTokens bearerTokens;
    private final String userHeader;
    private final RateLimit perAddress;
    private final RateLimit perUser;
    private final String clientAddressHeader;

    NegotiateGate(IdentityMode mode, BearerTokens bearerTokens, String userHeader, RateLimit perAddress,
            RateLimit perUser, String clientAddressHeader) {
        this.mode = mode;
        this.bearerTokens = bearerTokens;
        this.userHeader = userHeader;
        this.perAddress = perAddress;
        this.perUser = perUser;
        this.clientAddressHeader = clientAddressHeader;
    }

    public IdentityMode mode() {
        return mode;
    }

    /** The negotiate route's step: lets the caller through with an identity, or refuses with 401 or 429. */
    public void admit(Exchange exchange) {
        Message message = exchange.getMessage();
        limit(perAddress, "address:" + clientAddress(message), "this address");
        ClientIdentity identity = switch (mode) {
            case NONE -> ClientIdentity.of(message.getHeader("userId") instanceof String user ? user : null);
            case JWT -> bearerTokens.verify(message.getHeader("Authorization", String.class));
            case HEADER -> fromHeader(message);
        };
        if (identity.userId() != null) {
            limit(perUser, "user:" + identity.userId(), "this user");
        }
        if (mode != IdentityMode.NONE) {
            // a query's userId never outranks the established one
            message.setHeader("userId", identity.userId());
        }
        exchange.setVariable(ClientIdentity.VARIABLE, identity);
    }

    private ClientIdentity fromHeader(Message message) {
        String user = message.getHeader(userHeader, String.class);
        if (user == null || user.isBlank()) {
            throw ApiException.unauthorized("Unauthenticated", "negotiate needs the " + userHeader
                    + " header that the authenticating front sets", "Bearer realm=\"xregion\"");
        }
        return ClientIdentity.of(user.trim());
    }

    private static void limit(RateLimit limit, String key, String who) {
        OptionalLong retryAfter = limit.refuse(key);
        if (retryAfter.isPresent()) {
            throw new ApiException(429, "TooManyRequests", "Too many negotiate requests from " + who
                    + "; retry in " + retryAfter.getAsLong() + " s", (int) retryAfter.getAsLong());
        }
    }

    /**
     * The last address in the configured header (in X-Forwarded-For the one the nearest proxy, your front, added:
     * the ones before it are whatever the client sent), else the TCP peer.
     */
    private String clientAddress(Message message) {
        if (clientAddressHeader != null) {
            String forwarded = message.getHeader(clientAddressHeader, String.class);
            if (forwarded != null && !forwarded.isBlank()) {
                String[] hops = forwarded.split(",");
                return hops[hops.length - 1].trim();
            }
        }
        Object peer = message.getHeader(REMOTE_ADDRESS);
        return peer instanceof SocketAddress address ? address.host() : String.valueOf(peer);
    }
}
