package io.xregion.continuity;

import java.util.ArrayList;
import java.util.List;

import org.apache.camel.Exchange;

import io.xregion.http.ApiException;
import io.xregion.identity.ClientIdentity;

/**
 * Negotiate's {@code ?envelope=v1}: the client's token also puts it in the {@value Envelope#GROUP} group, so it
 * gets envelopes from its first message. A client can equally join that group itself.
 */
public final class EnvelopeOptIn {

    public void negotiate(Exchange exchange) {
        Object envelope = exchange.getMessage().getHeader("envelope");
        if (envelope == null) {
            return;
        }
        if (!"v1".equals(envelope)) {
            throw ApiException.badRequest("envelope must be v1 (the one envelope version)");
        }
        ClientIdentity identity = exchange.getVariable(ClientIdentity.VARIABLE, ClientIdentity.class);
        List<String> groups = new ArrayList<>(identity.groups());
        if (!groups.contains(Envelope.GROUP)) {
            groups.add(Envelope.GROUP);
        }
        exchange.setVariable(ClientIdentity.VARIABLE, new ClientIdentity(identity.userId(), identity.roles(), groups));
    }
}
