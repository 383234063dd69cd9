package io.xregion.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.xregion.testing.RunningApp;

/**
 * The beans are lazy: Camel makes each at its first lookup (WebPubSubConfiguration, ServiceBusConfiguration). Every
 * setting a bean reads is still checked when the app starts, not at the first request that needs the bean, and a bad
 * one stops start-up with a message that names the property (and its environment variable when it is blank). One
 * case per setting, so a bean that only a request would look up shows here.
 */
@Tag("slow")
class SettingsCheckedAtStartUpTest {

    @ParameterizedTest(name = "{0} = ''{1}''")
    @CsvSource(delimiter = '|', textBlock = """
        xregion.webpubsub.health.failure-threshold      | two      | must be a whole number
        xregion.webpubsub.health.failure-threshold      | 0        | must be between 1 and 100
        xregion.webpubsub.health.success-threshold      | 101      | must be between 1 and 100
        xregion.webpubsub.health.interval-ms            | 99       | must be between 100 and 3600000
        xregion.webpubsub.rest.token-lifetime-seconds   | 59       | must be between 60 and 86400
        xregion.webpubsub.rest.connect-timeout-ms       | 0        | must be between 1 and 600000
        xregion.webpubsub.rest.response-timeout-ms      | 600001   | must be between 1 and 600000
        xregion.webpubsub.rest.other-instances-wait-ms  | 0        | must be between 1 and 600000
        xregion.webpubsub.failback.reason               | ''       | is not set (set it in application.properties or the environment variable XREGION_WEBPUBSUB_FAILBACK_REASON)
        xregion.webpubsub.home-groups.prefix            | ' '      | is not set (set it in application.properties or the environment variable XREGION_WEBPUBSUB_HOME_GROUPS_PREFIX)
        xregion.webpubsub.home-groups.shards            | 1001     | must be between 1 and 1000
        xregion.webpubsub.client-token.lifetime-seconds | 86401    | must be between 60 and 86400
        xregion.webpubsub.broadcast.max-message-bytes   | 0        | must be between 1 and 1048576
        xregion.webpubsub.health.timeout-ms             | 0        | must be between 1 and 600000
        xregion.webpubsub.health.confirm-delay-ms       | -1       | must be between 0 and 600000
        xregion.webpubsub.failback.pace-ms              | soon     | must be a whole number
        xregion.webpubsub.failback.enabled              | on       | must be true or false
        xregion.servicebus.health.interval-ms           | 99       | must be between 100 and 3600000
        xregion.servicebus.outbox.poll-ms               | 0        | must be between 10 and 3600000
        xregion.servicebus.receive.max-concurrent-calls | 0        | must be between 1 and 1000
        xregion.servicebus.max-message-bytes            | 0        | must be between 1 and 104857600
        xregion.servicebus.health.timeout-ms            | 600001   | must be between 1 and 600000
        xregion.servicebus.health.failure-threshold     | 0        | must be between 1 and 100
        xregion.servicebus.health.success-threshold     | 101      | must be between 1 and 100
        xregion.servicebus.send.other-copies-wait-ms    | 60001    | must be between 0 and 60000
        xregion.servicebus.send.hedge-after-ms          | -1       | must be between 0 and 600000
        xregion.servicebus.send.max-in-flight           | 0        | must be between 1 and 100000
        xregion.servicebus.outbox.enabled               | yes      | must be true or false
        xregion.servicebus.outbox.directory             | ''       | is not set (set it in application.properties or the environment variable XREGION_SERVICEBUS_OUTBOX_DIRECTORY)
        xregion.servicebus.outbox.fsync                 | 1        | must be true or false
        xregion.servicebus.outbox.max-messages          | 0        | must be between 1 and 100000000
        xregion.servicebus.outbox.backoff.initial-ms    | 0        | must be between 1 and 3600000
        xregion.servicebus.outbox.backoff.max-ms        | 3600001  | must be between 1 and 3600000
        xregion.servicebus.outbox.batch-messages        | 4501     | must be between 1 and 4500
        xregion.servicebus.receive.retry.max-retries    | 101      | must be between 0 and 100
        xregion.servicebus.receive.retry.initial-delay-ms | 0      | must be between 1 and 600000
        xregion.servicebus.receive.retry.max-delay-ms   | 600001   | must be between 1 and 600000
        xregion.servicebus.receive.lock-renewal-ms      | 9999     | must be between 10000 and 86400000
        xregion.servicebus.receive.lock-renewal-ms      | 46000    | must be longer than the longest a message can take here, 46000 ms: xregion.servicebus.dedup.redis.claim-wait-ms (15000) and the pauses of xregion.servicebus.receive.retry.* (31000)
        xregion.servicebus.dedup.window-seconds         | 0        | must be between 1 and 604800
        xregion.continuity.enabled                      | maybe    | must be true or false
        xregion.continuity.history.window-seconds       | 0        | must be between 1 and 86400
        xregion.continuity.history.max-messages         | 0        | must be between 1 and 1000000
        xregion.continuity.history.timeout-ms           | 60001    | must be between 1 and 60000
        xregion.continuity.resume.max-messages          | 10001    | must be between 1 and 10000
        xregion.servicebus.dedup.max-entries            | 0        | must be between 1 and 100000000
        xregion.servicebus.ready-while-queueing         | maybe    | must be true or false
        xregion.leadership.service                      | zk       | must be file or kubernetes, not 'zk'
        xregion.leadership.file.acquire-interval-ms     | 99       | must be between 100 and 600000
        xregion.leadership.file.root                    | ''       | is not set (set it in application.properties or the environment variable XREGION_LEADERSHIP_FILE_ROOT)
        xregion.status.refresh-ms                       | 199      | must be between 200 and 60000
        xregion.status.recent-changes                   | 0        | must be between 1 and 10000
        xregion.tracing.enabled                         | maybe    | must be true or false
        """)
    void aBadSettingStopsStartUpNamingIt(String key, String value, String problem) {
        Exception failure = assertThrows(Exception.class, () -> RunningApp.start(Map.of(key, value)).close());
        assertEquals(key + " " + problem, rootMessage(failure));
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage();
    }
}
