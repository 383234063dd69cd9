package io.xregion.servicebus;

import java.util.List;

import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.azure.servicebus.ServiceBusConstants;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.model.errorhandler.NoErrorHandlerDefinition;
import org.junit.jupiter.api.BeforeEach;

/**
 * Route tests of the deduplicated receive (routes/servicebus-receive.camel.yaml, servicebus-receive-once) alone: no namespaces; each
 * namespace's consumer replaced by a direct endpoint the test sends copies to ({@code direct:eastus},
 * {@code direct:westus}), and direct:process, the user's route, by {@code mock:process}.
 */
abstract class ReceiveRouteTestSupport extends ServiceBusRouteTestSupport {

    protected MockEndpoint process;

    @Override
    public boolean isUseAdviceWith() {
        return true;
    }

    @Override
    protected boolean namespacesNeeded() {
        return false;
    }

    @Override
    protected List<String> routeFiles() {
        return List.of("http-api", "servicebus-receive", "servicebus-receive-once");
    }

    @BeforeEach
    void receiveFromTheTest() throws Exception {
        // a lambda, not a RouteBuilder class: camel-main would find a class in io.xregion and load it in the app tests;
        // no error handler of its own, as routes/process.camel.yaml (a failure travels back to the receive route)
        RouteBuilder.addRoutes(context, routes -> routes.from("direct:process").routeId("process")
                .errorHandler(new NoErrorHandlerDefinition()).to("mock:process"));
        AdviceWith.adviceWith(context, "servicebus-receive-primary", r -> r.replaceFromWith("direct:eastus"));
        AdviceWith.adviceWith(context, "servicebus-receive-secondary", r -> r.replaceFromWith("direct:westus"));
        context.start();
        process = getMockEndpoint("mock:process");
    }

    /** A copy of a message as a namespace's consumer hands it over; a failed exchange is abandoned, not completed. */
    protected Exchange receive(String namespace, String messageId) {
        return receive(namespace, messageId, null, "{\"n\":1}");
    }

    protected Exchange receive(String namespace, String messageId, String contentType, String body) {
        return template.send("direct:" + namespace, exchange -> {
            if (messageId != null) {
                exchange.getMessage().setHeader(ServiceBusConstants.MESSAGE_ID, messageId);
            }
            exchange.getMessage().setHeader(ServiceBusConstants.CONTENT_TYPE, contentType);
            exchange.getMessage().setBody(body);
        });
    }
}
