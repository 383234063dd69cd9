package io.xregion.webpubsub;

import java.util.LinkedHashMap;
import java.util.Map;

import io.xregion.http.ApiException;

/** No instance accepted a fanned-out request: 503, and the body names every instance's outcome. */
public final class NoInstanceAccepted extends ApiException {

    private static final long serialVersionUID = 1L;

    private final transient FanoutResult result;

    NoInstanceAccepted(FanoutResult result) {
        super(503, "NoInstanceAccepted", "No Web PubSub instance accepted the request");
        this.result = result;
    }

    @Override
    public Object body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", Map.of("code", code(), "message", getMessage()));
        body.put("operation", result.operation());
        body.put("accepted", 0);
        body.put("instances", result.instances());
        return body;
    }
}
