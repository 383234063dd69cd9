package io.xregion.webpubsub;

import java.net.URI;

import io.xregion.security.AzureCredential;

/**
 * One Web PubSub instance, named after its region. The access key stays inside: {@link #toString()} leaves it out.
 *
 * @param name       the instance's name in configuration, metrics and answers (usually its region)
 * @param endpoint   {@code scheme://host[:port]}
 * @param accessKey  its access key; null when it is reached with a Microsoft Entra ID credential
 * @param role       what it is to this app server, from {@code xregion.webpubsub.primary}
 * @param credential how xregion authenticates to it ({@code xregion.webpubsub.<instance>.credential})
 */
public record WebPubSubInstance(String name, URI endpoint, String accessKey, InstanceRole role,
        AzureCredential credential) {

    public WebPubSubInstance {
        if (role == null) {
            throw new IllegalArgumentException("Web PubSub instance '" + name + "' has no role");
        }
        if (credential == AzureCredential.KEY && accessKey == null) {
            throw new IllegalArgumentException("Web PubSub instance '" + name + "' has no access key");
        }
        if (credential.entra()) {
            // an Entra instance never signs with a key, even one left in a connection string
            accessKey = null;
        }
    }

    /** An instance reached with its access key. */
    public WebPubSubInstance(String name, URI endpoint, String accessKey, InstanceRole role) {
        this(name, endpoint, accessKey, role, AzureCredential.KEY);
    }

    public static WebPubSubInstance of(String name, WebPubSubConnectionString connectionString, InstanceRole role) {
        return new WebPubSubInstance(name, connectionString.endpoint(), connectionString.accessKey(), role);
    }

    /** An instance reached with a Microsoft Entra ID credential: its endpoint, no key. */
    public static WebPubSubInstance entra(String name, URI endpoint, InstanceRole role, AzureCredential credential) {
        return new WebPubSubInstance(name, endpoint, null, role, credential);
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
        return "WebPubSubInstance[" + name + " " + role.tag() + " " + endpoint + " " + credential.setting() + "]";
    }
}
