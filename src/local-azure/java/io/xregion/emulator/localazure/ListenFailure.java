package io.xregion.emulator.localazure;

import java.net.BindException;
import java.util.Locale;

/** A local instance, namespace or the control API could not listen where it was told to. */
public final class ListenFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What failed to listen. */
    public enum Service {
        WEBPUBSUB("Web PubSub instance"), SERVICEBUS("Service Bus namespace"), CONTROL("control API");

        final String label;

        Service(String label) {
            this.label = label;
        }
    }

    private final Service service;
    private final String name;
    private final boolean addressInUse;

    ListenFailure(Service service, String name, String host, int port, Throwable cause) {
        super(describe(service, name) + " cannot listen on " + host + ":" + port + ": " + reason(cause), cause);
        this.service = service;
        this.name = name;
        this.addressInUse = inUse(cause);
    }

    public Service service() {
        return service;
    }

    /** The instance's or namespace's name; null for the control API. */
    public String name() {
        return name;
    }

    /** Whether the port is taken (rather than the address not being one of this machine's, say). */
    public boolean addressInUse() {
        return addressInUse;
    }

    private static String describe(Service service, String name) {
        return name == null ? "The " + service.label : service.label + " '" + name + "'";
    }

    /** The innermost message: the emulators wrap the socket's own error in sentences of their own. */
    private static String reason(Throwable error) {
        Throwable innermost = error;
        while (innermost.getCause() != null && innermost.getCause() != innermost) {
            innermost = innermost.getCause();
        }
        String message = innermost.getMessage();
        return message == null || message.isBlank() ? innermost.getClass().getSimpleName() : message;
    }

    private static boolean inUse(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            if (message.contains("address already in use") || (t instanceof BindException && message.contains("in use"))) {
                return true;
            }
        }
        return false;
    }
}
