package io.xregion.webpubsub;

/**
 * Who is negotiating, as far as a routing choice may use it.
 *
 * @param userId the userId the client asked for, or null (anonymous, or given more than once). Negotiate checks it
 *               only after the choice and refuses an invalid one, so a router must not take it for a valid user id.
 */
public record NegotiateRequest(String userId) {
}
