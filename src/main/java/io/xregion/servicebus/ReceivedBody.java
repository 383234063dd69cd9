package io.xregion.servicebus;

/** A received message's body as bytes, with the broadcast content type it is read by (null: not yet chosen). */
record ReceivedBody(byte[] bytes, String contentType) {
}
