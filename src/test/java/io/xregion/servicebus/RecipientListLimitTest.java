package io.xregion.servicebus;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;

/**
 * Why active replication is {@link ActiveReplication} and not a recipient list (checked with Camel 4.17.0): a parallel
 * recipient list is done only when its slowest recipient is, so a publish would wait for a namespace that stopped
 * answering. This test fails when the recipient list completes while a recipient is still busy (then see whether it
 * can complete on the first success, and go back to it).
 */
class RecipientListLimitTest extends CamelTestSupport {

    private final CountDownLatch fastDone = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);

    @Test
    void aParallelRecipientListWaitsForItsSlowestRecipient() throws Exception {
        // a lambda, not a RouteBuilder subclass: the app's package scan (camel-main, io.xregion) would pick that up
        RouteBuilder.addRoutes(context, routes -> {
            routes.from("direct:fast").process(exchange -> fastDone.countDown());
            routes.from("direct:stalled").process(exchange -> release.await(30, TimeUnit.SECONDS));
            routes.from("direct:both").recipientList(routes.constant("direct:fast,direct:stalled"))
                    .parallelProcessing().stopOnException();
        });
        Future<Exchange> both = template.asyncSend("direct:both", exchange -> exchange.getMessage().setBody("m"));
        assertTrue(fastDone.await(10, TimeUnit.SECONDS), "the fast recipient ran");
        // the fast copy is done; a recipient list that could answer with it would be done within moments. 500 ms is
        // ample for that, on any machine, and it is not done: it waits for the stalled recipient
        assertThrows(TimeoutException.class, () -> both.get(500, TimeUnit.MILLISECONDS),
                "Camel's recipient list no longer waits for its slowest recipient: ActiveReplication may be replaced "
                        + "by it (see its comment)");
        release.countDown();
        assertNotNull(both.get(10, TimeUnit.SECONDS));
    }
}
