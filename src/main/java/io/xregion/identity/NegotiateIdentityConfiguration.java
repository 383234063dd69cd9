package io.xregion.identity;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.xregion.config.Settings;

/**
 * Negotiate's gate: its identity mode and rate limits. The production profile refuses to start in mode none (any
 * caller gets a token for any user id) unless that is allowed explicitly.
 */
public class NegotiateIdentityConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger("io.xregion.negotiate");
    private static final String JWT = NegotiateIdentitySettings.JWT;
    private static final String LIMIT = NegotiateIdentitySettings.RATE_LIMIT;

    @Override
    public void configure(CamelContext context) {
        Settings settings = Settings.of(context);
        IdentityMode mode = IdentityMode.parse(settings.required(NegotiateIdentitySettings.MODE));
        if (mode == IdentityMode.NONE && !settings.devProfile()) {
            if (!settings.flag(NegotiateIdentitySettings.ALLOW_ANONYMOUS)) {
                throw new IllegalStateException(NegotiateIdentitySettings.MODE + " is none: negotiate would hand "
                        + "anyone a token for any userId. Set it to jwt or header (environment variable "
                        + "XREGION_WEBPUBSUB_NEGOTIATE_IDENTITY), or allow anonymous negotiate explicitly with "
                        + NegotiateIdentitySettings.ALLOW_ANONYMOUS + "=true (XREGION_WEBPUBSUB_NEGOTIATE_ALLOW_ANONYMOUS)");
            }
            LOG.warn("Negotiate is anonymous ({}=none, {}=true): any caller gets a token for any userId",
                    NegotiateIdentitySettings.MODE, NegotiateIdentitySettings.ALLOW_ANONYMOUS);
        }
    }

    @BindToRegistry(value = "negotiateGate", lazy = true)
    public NegotiateGate negotiateGate(CamelContext context) {
        Settings settings = Settings.of(context);
        IdentityMode identityMode = IdentityMode.parse(settings.required(NegotiateIdentitySettings.MODE));
        BearerTokens bearerTokens = null;
        if (identityMode == IdentityMode.JWT) {
            bearerTokens = new BearerTokens(new BearerTokens.Settings(settings.required(JWT + "issuer"),
                    Settings.commaSeparated(settings.required(JWT + "audience")),
                    settings.optional(JWT + "jwks-url").orElse(null), settings.required(JWT + "user-claim"),
                    settings.optional(JWT + "roles-claim").orElse(null),
                    roleMapping(settings.optional(JWT + "role-mapping").orElse(null)),
                    settings.optional(JWT + "groups-claim").orElse(null),
                    (int) settings.number(JWT + "clock-skew-seconds", 0, 600),
                    settings.number(JWT + "jwks-refresh-interval-ms", 0, 3_600_000),
                    (int) settings.number(JWT + "timeout-ms", 1, 60_000)));
        }
        String header = identityMode == IdentityMode.HEADER
                ? settings.required(NegotiateIdentitySettings.HEADER_NAME) : null;
        Duration window = Duration.ofSeconds(settings.number(LIMIT + "window-seconds", 1, 3600));
        Clock clock = Clock.systemUTC();
        return new NegotiateGate(identityMode, bearerTokens, header,
                new RateLimit((int) settings.number(LIMIT + "per-address", 0, 1_000_000), window, clock),
                new RateLimit((int) settings.number(LIMIT + "per-user", 0, 1_000_000), window, clock),
                settings.optional(LIMIT + "client-address-header").orElse(null));
    }

    /** {@code AppRole=webpubsub.role|webpubsub.other,Other=...}: the Web PubSub roles each token role grants. */
    static Map<String, List<String>> roleMapping(String value) {
        Map<String, List<String>> mapping = new LinkedHashMap<>();
        for (String entry : Settings.commaSeparated(value)) {
            String[] parts = entry.split("=", 2);
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                throw new IllegalStateException(JWT + "role-mapping must read "
                        + "TokenRole=webpubsub.role|webpubsub.role,..., not '" + entry + "'");
            }
            mapping.put(parts[0].trim(), Arrays.stream(parts[1].split("\\|")).map(String::trim)
                    .filter(s -> !s.isEmpty()).toList());
        }
        return mapping;
    }
}
