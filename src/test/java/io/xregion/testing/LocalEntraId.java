package io.xregion.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.xregion.emulator.security.EntraIssuer;

/**
 * A stand-in for Microsoft Entra ID and an App Service managed-identity endpoint, on loopback, for tests:
 * <ul>
 * <li>{@code GET /<tenant>/discovery/v2.0/keys}: the issuer's JWKS (one RSA key; {@link #rollKey()} adds a new one
 * and signs with it from then on, as Entra rolls its keys), which the emulators trust ({@link #issuer()});</li>
 * <li>{@code GET /msi/token?api-version=2019-08-01&resource=<resource>[&client_id=<id>]} with header
 * {@code X-IDENTITY-HEADER}: what azure-identity's {@code ManagedIdentityCredential} (through MSAL4J 1.23's
 * AppServiceManagedIdentitySource) asks when {@code IDENTITY_ENDPOINT} and {@code IDENTITY_HEADER} are set, answered
 * as App Service does: {@code {"access_token", "expires_on" (epoch seconds, a string), "resource", "token_type",
 * "client_id"}}. The token is an RS256 JWT of this issuer for the requested resource; a {@code client_id} (a
 * user-assigned identity, {@code AZURE_CLIENT_ID}) becomes its {@code appid}.</li>
 * </ul>
 * Wrong or missing header: 401; no resource or another api-version: 400; both with a JSON error body.
 */
public final class LocalEntraId implements AutoCloseable {

    /** The client id of the app's system-assigned identity, when the request names none. */
    public static final String SYSTEM_ASSIGNED_CLIENT_ID = "11111111-2222-3333-4444-555555555555";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One token request the endpoint answered. */
    public record TokenRequest(String resource, String clientId) {
    }

    private final String tenant = UUID.randomUUID().toString();
    private final String identityHeader = UUID.randomUUID().toString();
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
        Thread thread = new Thread(r, "local-entra-id");
        thread.setDaemon(true);
        return thread;
    });
    private final List<RSAKey> keys = new CopyOnWriteArrayList<>();
    private final List<TokenRequest> requests = new CopyOnWriteArrayList<>();
    private final List<String> issued = new CopyOnWriteArrayList<>();

    public LocalEntraId() {
        rollKey();
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/" + tenant + "/discovery/v2.0/keys", this::jwks);
        server.createContext("/msi/token", this::managedIdentityToken);
        server.setExecutor(executor);
        server.start();
    }

    /** The Entra ID the emulators are to trust. */
    public EntraIssuer issuer() {
        return new EntraIssuer("https://sts.windows.net/" + tenant + "/", URI.create("http://127.0.0.1:"
                + server.getAddress().getPort() + "/" + tenant + "/discovery/v2.0/keys"));
    }

    /** {@code IDENTITY_ENDPOINT} for the app's environment. */
    public String identityEndpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/msi/token";
    }

    /** {@code IDENTITY_HEADER} for the app's environment: the secret the endpoint checks. */
    public String identityHeader() {
        return identityHeader;
    }

    /** The token requests answered so far, oldest first. */
    public List<TokenRequest> requests() {
        return List.copyOf(requests);
    }

    /** The tokens the managed-identity endpoint handed out, to check that none leaks into a log or an answer. */
    public List<String> issuedTokens() {
        return List.copyOf(issued);
    }

    /** A new signing key, published next to the old ones and used for every token from now on. */
    public void rollKey() {
        try {
            keys.add(new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate());
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A valid token of this issuer for the audience, an hour long. */
    public String token(String audience, String clientId) {
        long now = System.currentTimeMillis() / 1000;
        return sign(keys.get(keys.size() - 1), claims(audience, clientId).issueTime(new Date(now * 1000))
                .notBeforeTime(new Date(now * 1000)).expirationTime(new Date((now + 3600) * 1000)).build());
    }

    /** The same token, signed by a key this issuer never published. */
    public String tokenOfAnUnknownKey(String audience) {
        try {
            RSAKey stranger = new RSAKeyGenerator(2048).keyID(keys.get(0).getKeyID()).generate();
            long now = System.currentTimeMillis() / 1000;
            return sign(stranger, claims(audience, SYSTEM_ASSIGNED_CLIENT_ID)
                    .expirationTime(new Date((now + 3600) * 1000)).build());
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A token that expired ten minutes ago (past any clock skew the emulators allow). */
    public String expiredToken(String audience) {
        long now = System.currentTimeMillis() / 1000;
        return sign(keys.get(keys.size() - 1), claims(audience, SYSTEM_ASSIGNED_CLIENT_ID)
                .expirationTime(new Date((now - 600) * 1000)).build());
    }

    private JWTClaimsSet.Builder claims(String audience, String clientId) {
        return new JWTClaimsSet.Builder().issuer(issuer().issuer()).audience(audience)
                .subject(UUID.nameUUIDFromBytes(clientId.getBytes(StandardCharsets.UTF_8)).toString())
                .claim("oid", UUID.nameUUIDFromBytes(clientId.getBytes(StandardCharsets.UTF_8)).toString())
                .claim("appid", clientId).claim("tid", tenant).claim("idtyp", "app");
    }

    private static String sign(RSAKey key, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
                    .type(JOSEObjectType.JWT).build(), claims);
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private void jwks(HttpExchange exchange) throws IOException {
        List<com.nimbusds.jose.jwk.JWK> published = keys.stream().map(k -> (com.nimbusds.jose.jwk.JWK) k.toPublicJWK())
                .toList();
        answer(exchange, 200, new JWKSet(published).toString(true));
    }

    private void managedIdentityToken(HttpExchange exchange) throws IOException {
        if (!"GET".equals(exchange.getRequestMethod())) {
            answer(exchange, 405, error(405, "use GET"));
            return;
        }
        if (!identityHeader.equals(exchange.getRequestHeaders().getFirst("X-IDENTITY-HEADER"))) {
            answer(exchange, 401, error(401, "X-IDENTITY-HEADER is missing or wrong"));
            return;
        }
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        if (!"2019-08-01".equals(query.get("api-version"))) {
            answer(exchange, 400, error(400, "api-version must be 2019-08-01"));
            return;
        }
        String resource = query.get("resource");
        if (resource == null || resource.isBlank()) {
            answer(exchange, 400, error(400, "resource is required"));
            return;
        }
        String clientId = query.getOrDefault("client_id", SYSTEM_ASSIGNED_CLIENT_ID);
        requests.add(new TokenRequest(resource, query.get("client_id")));
        long expiresOn = System.currentTimeMillis() / 1000 + 3600;
        Map<String, String> body = new LinkedHashMap<>();
        String token = token(resource, clientId);
        issued.add(token);
        body.put("access_token", token);
        body.put("expires_on", Long.toString(expiresOn));
        body.put("resource", resource);
        body.put("token_type", "Bearer");
        body.put("client_id", clientId);
        answer(exchange, 200, JSON.writeValueAsString(body));
    }

    private static String error(int status, String message) {
        try {
            return JSON.writeValueAsString(Map.of("statusCode", status, "message", message));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> query = new LinkedHashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    query.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return query;
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
