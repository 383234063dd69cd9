package io.xregion.servicebus;

import java.time.Duration;

/**
 * How long the receivers renew the lock of a message they process ({@code xregion.servicebus.receive.lock-renewal-ms},
 * camel-azure-servicebus's maxAutoLockRenewDuration, which the SDK's processor applies to each message it hands over).
 *
 * <p>Renewal is what lets an entity's lock duration be short (10 s, README "Lock duration and lock renewal"): a live
 * app server keeps the lock of a message it is still working on, however long that takes, and only one that dies
 * stops renewing, so what it held comes back to the others one lock duration later. A message that outlasts the
 * renewal loses its lock while it is still processed and is delivered again (its copy then waits on this app
 * server's claim, or, with the memory store elsewhere, is processed twice), so the renewal must outlast the longest
 * a message can take here: waiting on another app server's claim, then the receive retries' pauses.
 */
final class LockRenewal {

    static final String KEY = "xregion.servicebus.receive.lock-renewal-ms";

    private LockRenewal() {
    }

    static void check(Duration renewal, Duration claimWait, Duration retryPauses) {
        Duration longest = claimWait.plus(retryPauses);
        if (renewal.compareTo(longest) <= 0) {
            throw new IllegalStateException(KEY + " must be longer than the longest a message can take here, "
                    + longest.toMillis() + " ms: xregion.servicebus.dedup.redis.claim-wait-ms (" + claimWait.toMillis()
                    + ") and the pauses of xregion.servicebus.receive.retry.* (" + retryPauses.toMillis() + ")");
        }
    }
}
