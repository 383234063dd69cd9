package io.xregion.emulator.servicebus;

import java.util.Map;

import org.apache.qpid.proton.amqp.Symbol;

/**
 * What the emulator leaves out of Service Bus. Each is refused at once with {@code amqp:not-implemented} and a
 * description naming it as the SDKs' users know it, so that a test or an app asking for it fails fast and says why
 * instead of waiting for an SDK timeout.
 */
final class Unsupported {

    static final Symbol NOT_IMPLEMENTED = Symbol.valueOf("amqp:not-implemented");
    /** The status a {@code $management} refusal carries; the JavaScript SDK maps it to amqp:not-implemented too. */
    static final int STATUS = 501;
    static final Symbol SESSION_FILTER = Symbol.valueOf("com.microsoft:session-filter");

    private static final String PREFIX = "The Service Bus emulator does not support ";
    private static final String SESSIONS = "sessions (session receivers: acceptSession, acceptNextSession, "
            + "session state and session locks)";
    private static final String RULES = "subscription rules (the rule manager: getRules, createRule, deleteRule)";
    private static final Map<String, String> OPERATIONS = Map.ofEntries(
            Map.entry("com.microsoft:schedule-message", "scheduled messages (scheduleMessages)"),
            Map.entry("com.microsoft:cancel-scheduled-message",
                    "scheduled messages (cancelScheduledMessages)"),
            Map.entry("com.microsoft:receive-by-sequence-number",
                    "deferred messages (receiveDeferredMessages)"),
            Map.entry("com.microsoft:update-disposition",
                    "settling a message over $management (deferred messages, or a receiver link that is gone)"),
            Map.entry("com.microsoft:add-rule", RULES),
            Map.entry("com.microsoft:remove-rule", RULES),
            Map.entry("com.microsoft:enumerate-rules", RULES),
            Map.entry("com.microsoft:renew-session-lock", SESSIONS),
            Map.entry("com.microsoft:get-session-state", SESSIONS),
            Map.entry("com.microsoft:set-session-state", SESSIONS),
            Map.entry("com.microsoft:get-message-sessions", SESSIONS));

    private Unsupported() {
    }

    static String managementOperation(String operation) {
        return PREFIX + OPERATIONS.getOrDefault(operation, "this $management operation") + ": " + operation;
    }

    static String sessionReceiver(String entity, Object sessionId) {
        String which = sessionId == null ? "the next available session" : "session '" + sessionId + "'";
        return PREFIX + SESSIONS + ": a receiver for " + which + " cannot attach to '" + entity + "'";
    }

    static String deferral() {
        return PREFIX + "deferred messages (deferMessage): the message keeps its lock";
    }
}
