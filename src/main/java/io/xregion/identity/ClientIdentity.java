package io.xregion.identity;

import java.util.List;

/**
 * Who a negotiate is for, as the identity mode established it.
 *
 * @param userId the Web PubSub user id, or null for an anonymous client (mode none without a userId)
 * @param roles  Web PubSub roles granted on top of xregion.webpubsub.client-token.roles
 * @param groups Web PubSub groups joined on top of the home group
 */
public record ClientIdentity(String userId, List<String> roles, List<String> groups) {

    /** The exchange variable the negotiate route keeps the identity in. */
    public static final String VARIABLE = "clientIdentity";

    public ClientIdentity {
        roles = List.copyOf(roles);
        groups = List.copyOf(groups);
    }

    public static ClientIdentity of(String userId) {
        return new ClientIdentity(userId, List.of(), List.of());
    }
}
