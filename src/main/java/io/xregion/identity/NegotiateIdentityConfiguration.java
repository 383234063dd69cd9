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
import org.apache.camel.PropertyInject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.xregion.config.Settings;

/**
 * Negotiate's gate: its identity mode and rate limits. The production profile refuses to start in mode none (any
 * caller gets a token for any user id) unless that is allowed explicitly.
 */
public class NegotiateIdentityConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger("io.xregion.negotiate");

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

    @BindToRegistry("negotiateGate")
    public NegotiateGate negotiateGate(
            @PropertyInject(NegotiateIdentitySettings.MODE) String mode,
            @PropertyInject(NegotiateIdentitySettings.JWT + "issuer") String issuer,
            @PropertyInject(NegotiateIdentitySettings.JWT + "audience") String audience,
            @PropertyInject(NegotiateIdentitySettings.JWT + "jwks-url") String jwksUrl,
            @PropertyInject(NegotiateIdentitySettings.JWT + "user-claim") String userClaim,
            @PropertyInject(NegotiateIdentitySettings.JWT + "roles-claim") String rolesClaim,
            @PropertyInject(NegotiateIdentitySettings.JWT + "role-mapping") String roleMapping,
            @PropertyInject(NegotiateIdentitySettings.JWT + "groups-claim") String groupsClaim,
            @PropertyInject(NegotiateIdentitySettings.JWT + "clock-skew-seconds") long clockSkew,
            @PropertyInject(NegotiateIdentitySettings.JWT + "jwks-refresh-interval-ms") long refreshInterval,
            @PropertyInject(NegotiateIdentitySettings.JWT + "timeout-ms") long timeout,
            @PropertyInject(NegotiateIdentitySettings.HEADER_NAME) String userHeader,
            @PropertyInject(NegotiateIdentitySettings.RATE_LIMIT + "per-address") long perAddress,
            @PropertyInject(NegotiateIdentitySettings.RATE_LIMIT + "per-user") long perUser,
            @PropertyInject(NegotiateIdentitySettings.RATE_LIMIT + "window-seconds") long windowSeconds,
            @PropertyInject(NegotiateIdentitySettings.RATE_LIMIT + "client-address-header") String addressHeader) {
        IdentityMode identityMode = IdentityMode.parse(mode);
        BearerTokens bearerTokens = null;
        if (identityMode == IdentityMode.JWT) {
            bearerTokens = new BearerTokens(new BearerTokens.Settings(
                    required(issuer, NegotiateIdentitySettings.JWT + "issuer"),
                    list(required(audience, NegotiateIdentitySettings.JWT + "audience")), blankToNull(jwksUrl),
                    required(userClaim, NegotiateIdentitySettings.JWT + "user-claim"), blankToNull(rolesClaim),
                    roleMapping(roleMapping), blankToNull(groupsClaim),
                    (int) range(clockSkew, NegotiateIdentitySettings.JWT + "clock-skew-seconds", 0, 600),
                    range(refreshInterval, NegotiateIdentitySettings.JWT + "jwks-refresh-interval-ms", 0, 3_600_000),
                    (int) range(timeout, NegotiateIdentitySettings.JWT + "timeout-ms", 1, 60_000)));
        }
        String header = identityMode == IdentityMode.HEADER
                ? required(userHeader, NegotiateIdentitySettings.HEADER_NAME) : null;
        Duration window = Duration.ofSeconds(range(windowSeconds, NegotiateIdentitySettings.RATE_LIMIT
                + "window-seconds", 1, 3600));
        Clock clock = Clock.systemUTC();
        return new NegotiateGate(identityMode, bearerTokens, header,
                new RateLimit((int) range(perAddress, NegotiateIdentitySettings.RATE_LIMIT + "per-address", 0,
                        1_000_000), window, clock),
                new RateLimit((int) range(perUser, NegotiateIdentitySettings.RATE_LIMIT + "per-user", 0, 1_000_000),
                        window, clock),
                blankToNull(addressHeader));
    }

    /** {@code AppRole=webpubsub.role|webpubsub.other,Other=...}: the Web PubSub roles each token role grants. */
    static Map<String, List<String>> roleMapping(String value) {
        Map<String, List<String>> mapping = new LinkedHashMap<>();
        for (String entry : list(value)) {
            String[] parts = entry.split("=", 2);
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                throw new IllegalStateException(NegotiateIdentitySettings.JWT + "role-mapping must read "
                        + "TokenRole=webpubsub.role|webpubsub.role,..., not '" + entry + "'");
            }
            mapping.put(parts[0].trim(), Arrays.stream(parts[1].split("\\|")).map(String::trim)
                    .filter(s -> !s.isEmpty()).toList());
        }
        return mapping;
    }

    private static List<String> list(String value) {
        return value == null ? List.of() : Arrays.stream(value.split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).toList();
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static String required(String value, String key) {
        String trimmed = blankToNull(value);
        if (trimmed == null) {
            throw new IllegalStateException(Settings.missing(key));
        }
        return trimmed;
    }

    private static long range(long value, String key, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalStateException(key + " must be between " + min + " and " + max);
        }
        return value;
    }
}
