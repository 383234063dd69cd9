package io.xregion.webpubsub;

import java.net.URI;

/**
 * One Web PubSub instance, named after its region. The access key stays inside: {@link #toString()} leaves it out.
 *
 * @param name     the instance's name in configuration, metrics and answers (usually its region)
 * @param endpoint {@code scheme://host[:port]}
 * @param role     what it is to this app server, from {@code xregion.webpubsub.primary}
 */
public record WebPubSubInstance(String name, URI endpoint, String accessKey, InstanceRole role) {

    public WebPubSubInstance {
        if (role == null) {
            throw new IllegalArgumentException("Web PubSub instance '" + name + "' has no role");
        }
    }

    public static WebPubSubInstance of(String name, WebPubSubConnectionString connectionString, InstanceRole role) {
        return new WebPubSubInstance(name, connectionString.endpoint(), connectionString.accessKey(), role);
    }

    /** {@code host[:port]} as the service names itself in WebHook-Request-Origin and requests carry in Host. */
    public String authority() {
        return endpoint.getRawAuthority();
    }

    /** The WebSocket URL clients connect to: ws for an http endpoint, wss for https. */
    public String clientUrl(String hub) {
        String scheme = "https".equals(endpoint.getScheme()) ? "wss" : "ws";
        return scheme + "://" + authority() + "/client/hubs/" + hub;
    }

    /** The audience of client tokens: the http(s) endpoint, not the ws(s) one. */
    public String clientAudience(String hub) {
        return endpoint + "/client/hubs/" + hub;
    }

    @Override
    public String toString() {
        return "WebPubSubInstance[" + name + " " + role.tag() + " " + endpoint + "]";
    }
}
