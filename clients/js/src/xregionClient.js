// A Web PubSub client for xregion's cross-region install: one connection at a time, each from a fresh official
// WebPubSubClient that negotiates through the global front, so that a client whose instance is lost is receiving
// again on another one within about a second or two, with either JSON subprotocol.
//
// Why a fresh official client per connection, and not the official client's own reconnects: in 1.1.0 a dropped
// reliable connection is first recovered on the same instance, once a second for 30 s (not configurable), before
// the client negotiates again; on a lost instance that is 30 s of silence. Here a reliable connection gets
// `recoveryBudgetMs` to recover (a short drop on a living instance still loses nothing), then its client is
// abandoned and a new one negotiates. A JSON connection that drops negotiates again at once.
//
// While a connection is not working (a reliable one recovering, a handshake taking long), the client also asks
// negotiate where it should be: once the app server has marked the instance DOWN, negotiate names another one, and
// the client goes there without waiting out the recovery budget or the handshake deadline.
//
// With `resume` (continuity, xregion's issue 16), negotiate asks for envelopes and every new connection first asks
// /resume for what the streams had since the last positions seen: missed messages are delivered before live ones
// (which wait meanwhile), a message whose id was delivered already is dropped, and a stream that can no longer
// answer for a position says so with a `gap` event.
import { WebPubSubJsonProtocol, WebPubSubJsonReliableProtocol } from "@azure/web-pubsub-client";
import { FrontNegotiator } from "./negotiator.js";
import { RecentIds } from "./recentIds.js";
import { Resumer, envelopeOf, unwrap } from "./resumer.js";
import { WatchedClient } from "./watchedClient.js";

/**
 * The defaults, chosen so that a silent instance is noticed within about 1.5 s: a ping every 500 ms (the service
 * answers each with a pong) and the connection given up after 1.5 s without any frame. The official client's
 * defaults are 20 s and 120 s.
 */
export const DEFAULTS = Object.freeze({
  protocol: "json",
  keepAliveIntervalInMs: 300,
  keepAliveTimeoutInMs: 1000,
  connectTimeoutMs: 2000,
  recoveryBudgetMs: 1000,
  negotiateTimeoutMs: 2000,
  negotiateHedgeMs: 250,
  avoidMs: 10000,
  retryDelayMs: 100,
  maxRetryDelayMs: 5000,
  dedupWindow: 10000,
  resume: false,
  streams: ["all"],
  resumeOverlap: 32,
});

/** How long a handshake may take before the client asks negotiate whether its instance is still the one. */
const SECOND_OPINION_AFTER_MS = 500;

const EVENTS = ["connected", "disconnected", "connect-failed", "server-message", "group-message",
  "rejoin-group-failed", "stopped", "gap"];

export class XRegionClient {
  #options;
  #negotiator;
  /** @type {{region: string, until: number} | null} the instance this client lost last, and until when to avoid it */
  #avoid = null;
  /** whether the last connection ended with a goodbye from its instance (a failback close) */
  #afterGoodbye = false;
  /** @type {Map<string, Set<Function>>} */
  #listeners = new Map(EVENTS.map((e) => [e, new Set()]));
  #groups = new Set();
  #recent;
  /** @type {Resumer | undefined} */
  #resumer;
  #session = null;
  #running = false;
  #failures = 0;
  #retryTimer;
  #started = null;

  /** @param {import("./index.js").XRegionClientOptions} options */
  constructor(options) {
    const o = { ...DEFAULTS, ...options };
    if (o.protocol !== "json" && o.protocol !== "reliable") {
      throw new RangeError(`protocol must be "json" or "reliable", not ${o.protocol}`);
    }
    for (const key of ["keepAliveIntervalInMs", "keepAliveTimeoutInMs", "recoveryBudgetMs", "retryDelayMs",
      "avoidMs"]) {
      if (!Number.isFinite(o[key]) || o[key] < 0) throw new RangeError(`${key} must be a number ≥ 0, not ${o[key]}`);
    }
    for (const key of ["connectTimeoutMs", "negotiateTimeoutMs", "negotiateHedgeMs", "maxRetryDelayMs"]) {
      if (!Number.isFinite(o[key]) || o[key] <= 0) throw new RangeError(`${key} must be a number > 0, not ${o[key]}`);
    }
    if (o.keepAliveIntervalInMs > 0 && o.keepAliveTimeoutInMs > 0
        && o.keepAliveTimeoutInMs < 2 * o.keepAliveIntervalInMs) {
      throw new RangeError("keepAliveTimeoutInMs must be at least twice keepAliveIntervalInMs, or a connection "
        + "that is fine is given up between two pongs");
    }
    if (o.messageId !== undefined && typeof o.messageId !== "function") {
      throw new TypeError("messageId must be a function of a message");
    }
    if (o.resume) {
      if (!Array.isArray(o.streams) || o.streams.length === 0 || o.streams.some((st) => typeof st !== "string")) {
        throw new TypeError("streams must name at least one stream (all, group:<name>, user:<userId>)");
      }
      if (!Number.isInteger(o.resumeOverlap) || o.resumeOverlap < 1) {
        throw new RangeError(`resumeOverlap must be a positive integer, not ${o.resumeOverlap}`);
      }
    }
    this.#options = o;
    this.#recent = new RecentIds(o.dedupWindow);
    this.#negotiator = new FrontNegotiator({
      urls: o.negotiateUrls, userId: o.userId, home: o.home, headers: o.headers,
      timeoutMs: o.negotiateTimeoutMs, hedgeMs: o.negotiateHedgeMs, fetch: o.fetch,
      query: o.resume ? { envelope: "v1" } : undefined,
    });
    if (o.resume) {
      this.#resumer = new Resumer({ negotiateUrls: o.negotiateUrls, userId: o.userId, headers: o.headers,
        fetch: o.fetch, timeoutMs: o.negotiateTimeoutMs, streams: o.streams, overlap: o.resumeOverlap });
    }
  }

  /** The region (instance) of the current connection, if any. */
  get region() {
    return this.#session?.connected ? this.#session.region : undefined;
  }

  /** This client's home region: the one given, else the first negotiate answer's. */
  get home() {
    return this.#negotiator.home;
  }

  /**
   * Connects, and keeps a connection until stop(). Resolves once the first connection is up; a region that does
   * not answer is retried (and told through `connect-failed`) rather than failing the start.
   * @returns {Promise<void>}
   */
  start() {
    if (this.#running) return Promise.reject(new Error("The client is started already."));
    this.#running = true;
    this.#failures = 0;
    return new Promise((resolve, reject) => {
      this.#started = { resolve, reject };
      this.#open();
    });
  }

  /** Closes the connection and stops reconnecting. */
  stop() {
    if (!this.#running) return;
    this.#running = false;
    clearTimeout(this.#retryTimer);
    const session = this.#session;
    this.#session = null;
    if (session) {
      session.timers.forEach(clearTimeout);
      session.sdk.abandon();
    }
    this.#started?.reject(new Error("The client was stopped before it connected."));
    this.#started = null;
    this.#emit("stopped", {});
  }

  /**
   * @param {string} event
   * @param {Function} listener
   */
  on(event, listener) {
    this.#listenersOf(event).add(listener);
  }

  off(event, listener) {
    this.#listenersOf(event).delete(listener);
  }

  /** Joins a group now, and again on every later connection (a new connection is a new member). */
  async joinGroup(group, options) {
    const result = await this.#connectedSdk().joinGroup(group, options);
    this.#groups.add(group);
    return result;
  }

  async leaveGroup(group, options) {
    this.#groups.delete(group);
    return this.#connectedSdk().leaveGroup(group, options);
  }

  /** As the official client's sendEvent, on the current connection. */
  sendEvent(eventName, content, dataType, options) {
    return this.#connectedSdk().sendEvent(eventName, content, dataType, options);
  }

  /** As the official client's sendToGroup, on the current connection. */
  sendToGroup(group, content, dataType, options) {
    return this.#connectedSdk().sendToGroup(group, content, dataType, options);
  }

  #connectedSdk() {
    if (!this.#session?.connected) throw new Error("The client is not connected.");
    return this.#session.sdk;
  }

  #listenersOf(event) {
    const listeners = this.#listeners.get(event);
    if (!listeners) throw new RangeError(`unknown event ${event}; the events are ${EVENTS.join(", ")}`);
    return listeners;
  }

  #emit(event, args) {
    for (const listener of this.#listeners.get(event)) {
      try {
        listener(args);
      } catch (e) {
        // a listener's failure is the application's, and must not break the connection handling
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }

  /** A new official client for a new connection: it negotiates, connects, and is watched. */
  #open() {
    const o = this.#options;
    // waiting: "handshake" from negotiate's answer until the socket opens, "recovery" while a reliable connection
    // recovers, else null
    const session = { sdk: null, region: undefined, connectionId: undefined, connected: false, waiting: null,
      timers: new Set() };
    this.#session = session;
    const credential = {
      getClientAccessUrl: async ({ abortSignal } = {}) => {
        const avoid = this.#avoid && this.#avoid.until > Date.now() ? this.#avoid.region : undefined;
        // after a goodbye (a failback close: the regions are alive and this client is being sent home) the own
        // region is waited for, not hedged: its app server may have just started, and a hedge to the other region
        // would land the client back on the secondary, where it would stay until the next failback
        const patient = this.#afterGoodbye;
        this.#afterGoodbye = false;
        const answer = await this.#negotiator.negotiate(abortSignal, avoid,
          patient ? { hedgeMs: o.negotiateTimeoutMs } : undefined);
        session.region = answer.region;
        session.waiting = "handshake";
        this.#later(session, Math.min(SECOND_OPINION_AFTER_MS, o.connectTimeoutMs / 2),
          () => this.#secondOpinion(session, "handshake"));
        return answer.url;
      },
    };
    session.sdk = new WatchedClient(credential, {
      ...o.clientOptions,
      protocol: o.protocol === "reliable" ? WebPubSubJsonReliableProtocol() : WebPubSubJsonProtocol(),
      // this library reconnects, with a new client object, so that no object is stuck in a recovery
      autoReconnect: false,
      keepAliveIntervalInMs: o.keepAliveIntervalInMs,
      keepAliveTimeoutInMs: o.keepAliveTimeoutInMs,
    }, {
      connectTimeoutMs: o.connectTimeoutMs,
      opened: () => this.#socketOpened(session),
      closed: (socket) => this.#socketClosed(session, socket),
    });
    const sdk = session.sdk;
    sdk.on("connected", (e) => this.#connected(session, e));
    sdk.on("disconnected", (e) => this.#lose(session, "connection closed", e.message));
    sdk.on("stopped", () => this.#lose(session, "connection closed"));
    sdk.on("server-message", (e) => this.#deliver(session, "server-message", e));
    sdk.on("group-message", (e) => this.#deliver(session, "group-message", e));
    sdk.on("rejoin-group-failed", (e) => {
      if (session === this.#session) this.#emit("rejoin-group-failed", e);
    });
    sdk.start().catch((error) => this.#lose(session, "could not connect", undefined, error));
  }

  async #connected(session, e) {
    if (session !== this.#session) return;
    session.connectionId = e.connectionId;
    this.#failures = 0;
    for (const group of this.#groups) {
      try {
        await session.sdk.joinGroup(group);
      } catch (error) {
        if (session === this.#session) this.#emit("rejoin-group-failed", { group, error });
      }
    }
    if (session !== this.#session) return;
    session.connected = true;
    // live messages wait while the missed ones are asked for
    if (this.#resumer) session.held = [];
    this.#emit("connected", { connectionId: e.connectionId, userId: e.userId, region: session.region,
      home: this.home });
    this.#started?.resolve();
    this.#started = null;
    if (this.#resumer) await this.#resume(session);
  }

  /** What the streams had since the positions seen, delivered before the live messages that came meanwhile. */
  async #resume(session) {
    for (const stream of this.#resumer.streams) {
      const from = this.#resumer.from(stream);
      let answer;
      try {
        answer = await this.#resumer.missed(stream, from);
      } catch (error) {
        if (session !== this.#session) return;
        // not known to be complete: the application decides
        if (from !== undefined) this.#emit("gap", { stream, position: from, reason: "resume failed", error });
        continue;
      }
      if (session !== this.#session) return;
      if (from === undefined) {
        // the first connection: the stream starts here
        this.#resumer.reset(stream, answer.position);
        continue;
      }
      if (answer.gap) {
        this.#resumer.reset(stream, answer.position);
        this.#emit("gap", { stream, position: answer.position, since: from, reason: "outside the history" });
        continue;
      }
      for (const envelope of answer.messages) {
        const group = stream.startsWith("group:") ? stream.slice(6) : undefined;
        const message = group === undefined ? { kind: "serverData", dataType: "json", data: envelope }
          : { kind: "groupData", group, dataType: "json", data: envelope };
        this.#deliverNow(group === undefined ? "server-message" : "group-message", { message });
      }
    }
    if (session !== this.#session) return;
    const held = session.held;
    session.held = null;
    for (const [event, e] of held) this.#deliverNow(event, e);
  }

  #deliver(session, event, e) {
    if (session !== this.#session) return;
    if (session.held) {
      session.held.push([event, e]);
      return;
    }
    this.#deliverNow(event, e);
  }

  #deliverNow(event, e) {
    const envelope = this.#resumer ? envelopeOf(e.message) : undefined;
    if (envelope) {
      if (this.#recent.seen(`xregion.v1:${envelope.id}`)) return;
      this.#resumer.saw(envelope.stream, envelope.position);
      this.#emit(event, { ...e, message: unwrap(e.message, envelope) });
      return;
    }
    const id = this.#options.messageId?.(e.message);
    if (id !== undefined && id !== null && this.#recent.seen(String(id))) return;
    this.#emit(event, e);
  }

  #socketOpened(session) {
    session.waiting = null;
  }

  /**
   * A reliable connection that drops is recovered by the official client, which says nothing until it gives up
   * (1.1.0: after 30 s). It gets recoveryBudgetMs; then this client negotiates again.
   */
  #socketClosed(session, socket) {
    if (session !== this.#session) return;
    // whether the instance said goodbye (then it lives) or was lost: what the next negotiate is told
    if (socket.afterOpen || !session.connected) session.lost = !socket.goodbye;
    if (!socket.afterOpen || this.#options.protocol !== "reliable") return;
    if (socket.code === 1008 || session.waiting === "recovery") return; // 1008: no recovery; the SDK says so itself
    session.waiting = "recovery";
    const budget = this.#options.recoveryBudgetMs;
    this.#later(session, budget, () => {
      if (session.waiting === "recovery") this.#lose(session, "recovery budget spent");
    });
    this.#secondOpinion(session, "recovery");
    this.#later(session, budget / 2, () => this.#secondOpinion(session, "recovery"));
  }

  /** Asks negotiate where this client should be; leaves the session's instance if it names another one. */
  async #secondOpinion(session, waiting) {
    if (session !== this.#session || session.waiting !== waiting) return;
    let answer;
    try {
      answer = await this.#negotiator.negotiate(undefined, session.region);
    } catch {
      return; // no opinion: the budget or the deadline decides
    }
    if (session !== this.#session || session.waiting !== waiting) return;
    if (answer.region && session.region && answer.region !== session.region) {
      this.#lose(session, "negotiate names another instance");
    }
  }

  #later(session, ms, action) {
    const timer = setTimeout(() => {
      session.timers.delete(timer);
      action();
    }, ms);
    session.timers.add(timer);
  }

  /** The session's connection is gone for good: abandon its client, and connect again (at once after a loss). */
  #lose(session, reason, message, error) {
    if (session !== this.#session) return;
    session.timers.forEach(clearTimeout);
    this.#session = null;
    session.sdk.abandon();
    // an instance that dropped, went silent or would not open is avoided for a while: negotiate then names another
    // one, if it can, before the app server's own probes have seen the loss
    if (session.region && (session.lost !== false || reason === "recovery budget spent")) {
      this.#avoid = { region: session.region, until: Date.now() + this.#options.avoidMs };
    }
    this.#afterGoodbye = session.connected && session.lost === false;
    if (session.connected) {
      this.#emit("disconnected", { connectionId: session.connectionId, region: session.region, reason, message });
    }
    if (!this.#running) return;
    let delay = 0;
    if (!session.connected) {
      this.#failures++;
      const ceiling = Math.min(this.#options.retryDelayMs * 2 ** (this.#failures - 1), this.#options.maxRetryDelayMs);
      delay = Math.round(ceiling / 2 + Math.random() * ceiling / 2);
      this.#emit("connect-failed", { reason, error, attempt: this.#failures, retryInMs: delay });
    }
    this.#retryTimer = setTimeout(() => {
      if (this.#running && this.#session === null) this.#open();
    }, delay);
  }
}
