package io.xregion.webpubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.net.httpserver.HttpServer;
import io.xregion.testing.Keys;
import io.xregion.testing.NimbusTokens;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/** Each REST call is signed, through camel-http, with its own instance's key for the exact URL it goes to. */
class RestRequestSignerTest {

    @Test
    void theTokenIsSignedWithThatInstancesKeyForTheUrlAsSent() throws Exception {
        AtomicReference<String> authorization = new AtomicReference<>();
        AtomicReference<String> requestUri = new AtomicReference<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            authorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
            requestUri.set(exchange.getRequestURI().toString());
            exchange.sendResponseHeaders(202, -1);
            exchange.close();
        });
        server.start();
        String east = Keys.random();
        String endpoint = "http://127.0.0.1:" + server.getAddress().getPort();
        WebPubSubInstances instances = new WebPubSubInstances(List.of(
                new WebPubSubInstance("eastus", URI.create(endpoint), east, InstanceRole.PRIMARY),
                new WebPubSubInstance("westus", URI.create("http://127.0.0.2:1"), Keys.random(),
                        InstanceRole.SECONDARY)), "chat");
        try (CamelContext camel = new DefaultCamelContext()) {
            camel.getRegistry().bind("signer", new RestRequestSigner(instances, Duration.ofMinutes(5),
                    Clock.systemUTC()));
            camel.start();
            WebPubSubRequest request = new WebPubSubRequests("chat", "x").broadcastToGroup("a/b c");
            String uri = new WebPubSubRestEndpoints(instances, "signer", 1000, 1000, 1000).uri(instances.primary());
            camel.createProducerTemplate().send(uri, exchange -> {
                exchange.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
                exchange.getMessage().setHeader(Exchange.HTTP_PATH, request.path());
                exchange.getMessage().setHeader(Exchange.HTTP_RAW_QUERY, request.rawQuery());
                exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/plain");
                exchange.getMessage().setBody("hi");
            });
        } finally {
            server.stop(0);
        }
        assertEquals("/api/hubs/chat/groups/a%2Fb%20c/:send?api-version=2024-01-01", requestUri.get());
        assertTrue(authorization.get().startsWith("Bearer "));
        Map<String, Object> claims = NimbusTokens.verify(east, authorization.get().substring(7));
        assertEquals(List.of(endpoint + requestUri.get()), claims.get("aud"));
        long exp = ((java.util.Date) claims.get("exp")).getTime() / 1000;
        assertTrue(exp > System.currentTimeMillis() / 1000 && exp <= System.currentTimeMillis() / 1000 + 300);
    }
}
