package io.xregion.webpubsub;

import org.apache.camel.Exchange;
import org.apache.camel.Header;

import io.xregion.http.ApiException;

/**
 * A negotiating client's home region: the instance it names with {@code ?home=} (a client that failed over from
 * its region keeps the {@code home} of its first negotiate and sends it on), else this app server's primary. The
 * home decides the client's home group, so the failback of its own region's app server brings it back, whichever
 * app server it negotiated through while its region was gone.
 */
public final class ClientHome {

    /** The query parameter, the variable and the negotiate answer's field. */
    public static final String HOME = "home";

    private final WebPubSubInstances instances;

    public ClientHome(WebPubSubInstances instances) {
        this.instances = instances;
    }

    /** The negotiate route's step: the checked home into the variable {@value #HOME}. */
    public void choose(@Header(HOME) Object given, Exchange exchange) {
        exchange.setVariable(HOME, resolve(given));
    }

    /** The home a client names, checked; this app server's primary when it names none. */
    public String resolve(Object given) {
        if (given == null) {
            return instances.primary().name();
        }
        if (!(given instanceof String home)) {
            throw ApiException.badRequest("home must be given once");
        }
        if (!WebPubSubInstances.validName(home)) {
            throw ApiException.badRequest("home must be the name of a Web PubSub instance: lower-case letters, "
                    + "digits and dashes, 1 to 63 characters");
        }
        return instances.byName(home).map(WebPubSubInstance::name).orElseThrow(() -> ApiException.badRequest(
                "home names no Web PubSub instance of this app server (known: " + String.join(", ",
                        instances.names()) + ")"));
    }
}
