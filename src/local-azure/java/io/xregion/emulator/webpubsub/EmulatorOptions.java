package io.xregion.emulator.webpubsub;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

import io.xregion.emulator.security.EntraIssuer;
import io.xregion.emulator.security.LocalTls;

/**
 * How one emulated Web PubSub instance is set up.
 *
 * @param name               a label for logs and state, e.g. the region
 * @param host               the loopback address to listen on
 * @param port               the port, 0 for a free one (kept across down/up)
 * @param accessKey          the instance's access key (at least 32 UTF-8 bytes, as the service requires)
 * @param eventHandlerUrl    the event handler URL template ({hub}, {event}), or null for none
 * @param recoveryWindow     how long a dropped reliable connection can be recovered
 * @param clockSkew          tolerated clock difference when checking token lifetimes
 * @param reliableBufferSize unacknowledged messages kept per reliable connection before it is aborted
 * @param maxMessageBytes    the largest REST payload or WebSocket message accepted
 * @param eventTimeout       how long the event handler may take to answer
 * @param secondaryAccessKey the instance's second key: the service signs every event with both keys
 * @param originAliases      further names the instance goes by (a custom domain, geo-replicas' host names), sent
 *                           after its own in WebHook-Request-Origin, comma-separated, as the service does
 * @param entra              the Microsoft Entra ID whose tokens (audience {@code https://webpubsub.azure.com}) the REST
 *                           API accepts, or null for access-key tokens only
 * @param localAuth          whether the REST API accepts access-key tokens; false as on an instance with local auth
 *                           disabled (client tokens from {@code :generateToken} keep working, as they do there)
 * @param tls                serve https and wss with this certificate, or null for http and ws
 */
public record EmulatorOptions(String name, String host, int port, String accessKey, String eventHandlerUrl,
        Duration recoveryWindow, Duration clockSkew, int reliableBufferSize, int maxMessageBytes,
        Duration eventTimeout, String secondaryAccessKey, List<String> originAliases, EntraIssuer entra,
        boolean localAuth, LocalTls tls) {

    public EmulatorOptions {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(accessKey, "accessKey");
        if (accessKey.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 32) {
            throw new IllegalArgumentException("an access key needs at least 32 bytes");
        }
        Objects.requireNonNull(secondaryAccessKey, "secondaryAccessKey");
        originAliases = List.copyOf(originAliases);
        if (!localAuth && entra == null) {
            throw new IllegalArgumentException("with local auth disabled an instance needs an Entra issuer");
        }
    }

    /** Defaults that match the service: 30 s recovery, 5 min skew, 1000 buffered messages, 1 MB messages. */
    public static EmulatorOptions of(String name, String accessKey) {
        return new EmulatorOptions(name, "127.0.0.1", 0, accessKey, null, Duration.ofSeconds(30),
                Duration.ofMinutes(5), 1000, 1024 * 1024, Duration.ofSeconds(10), randomKey(), List.of(), null, true,
                null);
    }

    private static String randomKey() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    public EmulatorOptions withHost(String value) {
        return new EmulatorOptions(name, value, port, accessKey, eventHandlerUrl, recoveryWindow, clockSkew,
                reliableBufferSize, maxMessageBytes, eventTimeout, secondaryAccessKey, originAliases, entra, localAuth,
                tls);
    }

    public EmulatorOptions withPort(int value) {
        return new EmulatorOptions(name, host, value, accessKey, eventHandlerUrl, recoveryWindow, clockSkew,
                reliableBufferSize, maxMessageBytes, eventTimeout, secondaryAccessKey, originAliases, entra, localAuth,
                tls);
    }

    public EmulatorOptions withEventHandler(String value) {
        return new EmulatorOptions(name, host, port, accessKey, value, recoveryWindow, clockSkew,
                reliableBufferSize, maxMessageBytes, eventTimeout, secondaryAccessKey, originAliases, entra, localAuth,
                tls);
    }

    public EmulatorOptions withRecoveryWindow(Duration value) {
        return new EmulatorOptions(name, host, port, accessKey, eventHandlerUrl, value, clockSkew,
                reliableBufferSize, maxMessageBytes, eventTimeout, secondaryAccessKey, originAliases, entra, localAuth,
                tls);
    }

    public EmulatorOptions withReliableBufferSize(int value) {
        return new EmulatorOptions(name, host, port, accessKey, eventHandlerUrl, recoveryWindow, clockSkew,
                value, maxMessageBytes, eventTimeout, secondaryAccessKey, originAliases, entra, localAuth, tls);
    }

    public EmulatorOptions withEventTimeout(Duration value) {
        return new EmulatorOptions(name, host, port, accessKey, eventHandlerUrl, recoveryWindow, clockSkew,
                reliableBufferSize, maxMessageBytes, value, secondaryAccessKey, originAliases, entra, localAuth, tls);
    }

    public EmulatorOptions withSecondaryAccessKey(String value) {
        return new EmulatorOptions(name, host, port, accessKey, eventHandlerUrl, recoveryWindow, clockSkew,
                reliableBufferSize, maxMessageBytes, eventTimeout, value, originAliases, entra, localAuth, tls);
    }

    public EmulatorOptions withOriginAliases(List<String> value) {
        return new EmulatorOptions(name, host, port, accessKey, eventHandlerUrl, recoveryWindow, clockSkew,
                reliableBufferSize, maxMessageBytes, eventTimeout, secondaryAccessKey, value, entra, localAuth, tls);
    }

    /** Accept Entra tokens of this issuer too. */
    public EmulatorOptions withEntra(EntraIssuer value) {
        return new EmulatorOptions(name, host, port, accessKey, eventHandlerUrl, recoveryWindow, clockSkew,
                reliableBufferSize, maxMessageBytes, eventTimeout, secondaryAccessKey, originAliases, value, localAuth,
                tls);
    }

    /** Accept access-key tokens on the REST API or not (local auth disabled). */
    public EmulatorOptions withLocalAuth(boolean value) {
        return new EmulatorOptions(name, host, port, accessKey, eventHandlerUrl, recoveryWindow, clockSkew,
                reliableBufferSize, maxMessageBytes, eventTimeout, secondaryAccessKey, originAliases, entra, value,
                tls);
    }

    public EmulatorOptions withTls(LocalTls value) {
        return new EmulatorOptions(name, host, port, accessKey, eventHandlerUrl, recoveryWindow, clockSkew,
                reliableBufferSize, maxMessageBytes, eventTimeout, secondaryAccessKey, originAliases, entra, localAuth,
                value);
    }
}
