// The official client with its WebSocket watched: every socket it opens goes through a wrapper that gives the
// handshake a deadline, declares a socket closed the moment the client closes it, and tells the owner when a
// socket opens and closes (which is how the owner sees a reliable connection start, and end, its recovery: the
// official client emits no event for either).
//
// WORKAROUND, @azure/web-pubsub-client 1.1.0: it has no public way to watch its sockets, no handshake timeout, and
// a close it starts on a silent connection (its keep-alive timeout) completes only when `ws` gives up waiting for
// the peer's close frame, 30 s later. So this overrides WebPubSubClient.prototype._getWebSocketClientFactory, a
// private method (the SDK's own tests use it to inject sockets), called by _connectCore for every connection and
// recovery attempt and expected to return { create(uri, protocolName) } of WebSocketClientLike objects.
// test/sdkAssumptions.test.js fails when the SDK stops calling it, or stops needing the rest of this file.
import { WebPubSubClient } from "@azure/web-pubsub-client";

/** The query parameter the official client adds to a recovery attempt's URL. */
const RECOVERY_PARAMETER = "awps_connection_id";

/**
 * @typedef {object} SocketWatch
 * @property {number} connectTimeoutMs - how long a WebSocket handshake may take before the attempt counts as failed
 * @property {(socket: {recovery: boolean}) => void} opened - a socket opened (recovery: it resumes a reliable connection)
 * @property {(socket: {recovery: boolean, afterOpen: boolean, code: number}) => void} closed - a socket ended
 */

/** A WebPubSubClient whose sockets are watched, and which can be abandoned even while it recovers a connection. */
export class WatchedClient extends WebPubSubClient {
  /** @type {SocketWatch} */
  #watch;
  #abandoned = false;
  /** @type {Set<WatchedSocket>} */
  #sockets = new Set();

  /**
   * @param {ConstructorParameters<typeof WebPubSubClient>[0]} credential
   * @param {ConstructorParameters<typeof WebPubSubClient>[1]} options
   * @param {SocketWatch} watch
   */
  constructor(credential, options, watch) {
    super(credential, options);
    this.#watch = watch;
  }

  /** Overrides the SDK's private factory method (see the note at the top of this file). */
  _getWebSocketClientFactory() {
    const sdkFactory = super._getWebSocketClientFactory();
    return {
      create: (uri, protocolName) => {
        if (this.#abandoned) {
          return new AbandonedSocket();
        }
        const socket = new WatchedSocket(() => sdkFactory.create(uri, protocolName),
          new URL(uri).searchParams.has(RECOVERY_PARAMETER), this.#watch, (s) => this.#sockets.delete(s));
        this.#sockets.add(socket);
        return socket;
      },
    };
  }

  /**
   * Stops the client for good, whatever it is doing. stop() alone does not end a recovery in 1.1.0 (stop() clears
   * its stopping flag again when no socket is open, so the recovery loop goes on trying for its 30 s, and
   * reconnects if the instance answers): from here on every attempt gets an AbandonedSocket, which ends it.
   */
  abandon() {
    if (this.#abandoned) return;
    this.#abandoned = true;
    try {
      this.stop();
    } catch {
      // stopping an SDK client that never started throws nothing today; nothing to do either way
    }
    for (const socket of this.#sockets) socket.close(1000, "abandoned");
  }
}

/**
 * A WebSocketClientLike around the SDK's own socket. Once it is declared closed (by the peer, a handshake past its
 * deadline or close()), the SDK gets exactly one onclose and nothing more from it.
 */
class WatchedSocket {
  #inner;
  #recovery;
  #watch;
  #forget;
  #opened = false;
  #closed = false;
  #connectTimer;
  /** @type {(code: number, reason: string) => void} */
  #onclose = () => {};

  constructor(createInner, recovery, watch, forget) {
    this.#recovery = recovery;
    this.#watch = watch;
    this.#forget = forget;
    this.#inner = createInner();
    this.#connectTimer = setTimeout(() => this.#declareClosed(1006, "handshake timed out"), watch.connectTimeoutMs);
  }

  onopen(fn) {
    this.#inner.onopen(() => {
      if (this.#closed) return;
      clearTimeout(this.#connectTimer);
      this.#opened = true;
      this.#watch.opened({ recovery: this.#recovery });
      fn();
    });
  }

  onclose(fn) {
    this.#onclose = fn;
    this.#inner.onclose((code, reason) => this.#declareClosed(code, reason, true));
  }

  onerror(fn) {
    this.#inner.onerror((error) => {
      if (!this.#closed) fn(error);
    });
  }

  onmessage(fn) {
    this.#inner.onmessage((data) => {
      if (!this.#closed) fn(data);
    });
  }

  /**
   * The SDK closes a socket to stop, or because its keep-alive timeout found the connection silent: in both cases
   * it is done with it. The close handshake goes on underneath; the SDK hears of the close now, not when a silent
   * peer's close frame fails to come.
   */
  close(code, reason) {
    if (this.#closed) return;
    // after the SDK's own call, as the SDK expects onclose to come later
    setTimeout(() => this.#declareClosed(code ?? 1000, reason ?? "closed by the client"), 0);
  }

  send(data, abortSignal) {
    if (this.#closed) return Promise.reject(new Error("The connection is closed."));
    return this.#inner.send(data, abortSignal);
  }

  isOpen() {
    return !this.#closed && this.#inner.isOpen();
  }

  /** @param {boolean} [byPeer] - the socket closed underneath (the peer closed it, or the connection dropped) */
  #declareClosed(code, reason, byPeer = false) {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#connectTimer);
    this.#forget(this);
    try {
      this.#inner.close(code === 1006 ? 1000 : code, reason);
    } catch {
      // a socket still connecting or already closed: ws ends it either way
    }
    // the service said goodbye (a close frame: a failback close, a refused recovery), as opposed to a connection that
    // dropped (1006), went silent (the SDK's keep-alive closed it) or would not open
    this.#watch.closed({ recovery: this.#recovery, afterOpen: this.#opened, code,
      goodbye: byPeer && code !== 1006 });
    this.#onclose(code, reason);
  }
}

/**
 * What an abandoned client gets instead of a socket: one that opens and is at once closed with 1008, the code on
 * which the official client gives up a connection without trying to recover it. A socket that merely failed would
 * only send the SDK's recovery loop round again (once a second, for 30 s, keeping the process alive); this one
 * ends that loop at its next attempt, touching no network, and the SDK stops.
 */
class AbandonedSocket {
  #onopen = () => {};
  #onclose = () => {};

  constructor() {
    setTimeout(() => {
      this.#onopen();
      setTimeout(() => this.#onclose(1008, "abandoned"), 0);
    }, 0);
  }

  onopen(fn) {
    this.#onopen = fn;
  }

  onclose(fn) {
    this.#onclose = fn;
  }

  onerror() {}

  onmessage() {}

  close() {}

  send() {
    return Promise.reject(new Error("The client was abandoned."));
  }

  isOpen() {
    return false;
  }
}
