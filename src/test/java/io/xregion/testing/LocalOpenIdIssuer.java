package io.xregion.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

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

/**
 * An OpenID Connect issuer on loopback, as far as a resource server sees one: its discovery document and its JWKS,
 * with RSA keys the test rotates, and tokens signed with nimbus.
 */
public final class LocalOpenIdIssuer implements AutoCloseable {

    private final HttpServer server;
    private final AtomicInteger jwksFetches = new AtomicInteger();
    private volatile RSAKey current;
    private volatile List<RSAKey> published;

    public LocalOpenIdIssuer() {
        try {
            current = newKey();
            published = List.of(current);
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException | JOSEException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/.well-known/openid-configuration", exchange -> answer(exchange,
                "{\"issuer\":\"" + issuer() + "\",\"jwks_uri\":\"" + issuer() + "/keys\"}"));
        server.createContext("/keys", exchange -> {
            jwksFetches.incrementAndGet();
            answer(exchange, new JWKSet(published.stream().map(k -> (com.nimbusds.jose.jwk.JWK) k.toPublicJWK())
                    .toList()).toString());
        });
        server.start();
    }

    public String issuer() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public int jwksFetches() {
        return jwksFetches.get();
    }

    /** A new signing key, published beside the old one (as providers roll keys over). */
    public void rotate() {
        try {
            current = newKey();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        published = List.of(published.get(published.size() - 1), current);
    }

    /** A token of this issuer for the audience, valid for a minute, with these further claims. */
    public String token(String audience, Map<String, Object> claims) {
        JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder().issuer(issuer()).audience(audience)
                .issueTime(new Date()).notBeforeTime(Date.from(Instant.now().minusSeconds(5)))
                .expirationTime(Date.from(Instant.now().plusSeconds(60)));
        claims.forEach(builder::claim);
        return sign(current, builder.build());
    }

    /** Signs any claims with the current key: for tokens that must be refused (expired, another issuer...). */
    public String sign(JWTClaimsSet claims) {
        return sign(current, claims);
    }

    /** Signs with a key this issuer never published. */
    public static String signWithUnknownKey(JWTClaimsSet claims) {
        try {
            return sign(newKey(), claims);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sign(RSAKey key, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT)
                    .keyID(key.getKeyID()).build(), claims);
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RSAKey newKey() throws JOSEException {
        return new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
    }

    private static void answer(HttpExchange exchange, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
