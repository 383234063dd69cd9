package io.xregion.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns whatever went wrong in an HTTP route into a status and a JSON error body. Refused input keeps its own
 * message; anything unexpected becomes a 500 with an incident id, its stack trace in the log only.
 */
public final class ApiErrors {

    private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);
    static final ObjectMapper JSON = new ObjectMapper();

    /** Told of every request refused (an {@link ApiException}), e.g. to count refusals. */
    @FunctionalInterface
    public interface Refusals {
        void refused(Exchange exchange, ApiException refusal);
    }

    private final Refusals refusals;

    /** Tells no one of refusals. */
    public ApiErrors() {
        this((exchange, refusal) -> {
        });
    }

    public ApiErrors(Refusals refusals) {
        this.refusals = refusals;
    }

    /** Used by the http-api route configuration on any exception. */
    public void render(Exchange exchange) {
        Throwable error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        ApiException refused = find(error);
        Object body;
        int status;
        if (refused != null) {
            status = refused.status();
            body = refused.body();
            LOG.debug("{} {} refused: {} {}", exchange.getMessage().getHeader(Exchange.HTTP_METHOD),
                    exchange.getMessage().getHeader(Exchange.HTTP_PATH), status, refused.getMessage());
            refusals.refused(exchange, refused);
        } else {
            String incident = UUID.randomUUID().toString();
            LOG.error("Unexpected failure, incident {}", incident, error);
            status = 500;
            body = errorBody("InternalError", "Unexpected failure; the server log has incident " + incident);
        }
        respond(exchange, status, body);
        if (refused != null && refused.retryAfterSeconds() != null) {
            exchange.getMessage().setHeader("Retry-After", refused.retryAfterSeconds());
        }
        if (refused != null && refused.challenge() != null) {
            exchange.getMessage().setHeader("WWW-Authenticate", refused.challenge());
        }
    }

    /** Sets status, JSON content type and body; drops every other header so nothing internal leaks out. */
    public static void respond(Exchange exchange, int status, Object body) {
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(json(body));
    }

    public static Map<String, Object> errorBody(String code, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        return Map.of("error", error);
    }

    public static String json(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an answer could not be written as JSON", e);
        }
    }

    private static ApiException find(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof ApiException api) {
                return api;
            }
        }
        return null;
    }
}
