// Test doubles on loopback: a Web PubSub instance speaking the JSON subprotocols closely enough for the official
// client (connected, pong, acks, server and group messages, reliable sequence ids and recovery), with the faults
// of a lost region; and an app server's /negotiate that hands out whichever instance the test says.
import http from "node:http";
import { WebSocketServer } from "ws";

const SUBPROTOCOLS = ["json.webpubsub.azure.v1", "json.reliable.webpubsub.azure.v1"];

export class FakeInstance {
  /** every upgrade request: { recovery, at } */
  attempts = [];
  /** every joinGroup: { group, connectionId } */
  joins = [];
  #server;
  #wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => SUBPROTOCOLS.find((p) => offered.has(p)) ?? false });
  #connections = new Map();
  #mode = "up";
  #nextId = 0;
  #port = 0;
  #raw = new Set();

  constructor(name) {
    this.name = name;
  }

  static async start(name) {
    const instance = new FakeInstance(name);
    await instance.up();
    return instance;
  }

  get port() {
    return this.#port;
  }

  /** The URL negotiate hands out for this instance. */
  clientUrl(userId = "user") {
    return `ws://127.0.0.1:${this.#port}/client/hubs/chat?access_token=token-of-${encodeURIComponent(userId)}`;
  }

  /** Serving (again, on the same port after down()). */
  async up() {
    this.#mode = "up";
    if (this.#server) {
      for (const c of this.#connections.values()) c.socket?.resume();
      return;
    }
    const server = http.createServer((req, res) => res.writeHead(404).end());
    server.on("connection", (s) => {
      this.#raw.add(s);
      s.on("close", () => this.#raw.delete(s));
    });
    server.on("upgrade", (req, socket, head) => this.#upgrade(req, socket, head));
    await new Promise((resolve) => server.listen(this.#port, "127.0.0.1", resolve));
    this.#port = server.address().port;
    this.#server = server;
  }

  /** A lost region: connections reset, new ones refused, recoverable connections forgotten. */
  async down() {
    this.#mode = "down";
    const server = this.#server;
    this.#server = null;
    for (const s of this.#raw) s.destroy();
    this.#connections.clear();
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  /** Silent: open connections neither read nor answered, new ones accepted but never answered. */
  partition() {
    this.#mode = "partition";
    for (const c of this.#connections.values()) c.socket.pause();
  }

  /** Every upgrade is accepted at the TCP level and dropped at once (counts attempts, refuses them all). */
  reject() {
    this.#mode = "reject";
    for (const s of this.#raw) s.destroy();
  }

  /** A blip on a living instance: open connections drop, stay recoverable; new ones served. */
  drop() {
    for (const c of this.#connections.values()) c.socket.destroy();
  }

  /** A goodbye, as a failback close: every open connection closed with a close frame (and forgotten). */
  closeAll(code = 1000, reason = "Your home region is available again; please reconnect") {
    for (const c of [...this.#connections.values()]) {
      this.#connections.delete(c.id);
      c.ws?.close(code, reason);
    }
  }

  /** Sends a server message to every open connection. */
  broadcast(data) {
    if (this.#mode !== "up") return;
    for (const c of this.#connections.values()) {
      if (!c.ws) continue;
      const message = { type: "message", from: "server", dataType: "text", data };
      if (c.reliable) message.sequenceId = ++c.sequence;
      c.ws.send(JSON.stringify(message));
    }
  }

  /** Sends a server message of dataType json (e.g. an xregion envelope) to every open connection. */
  broadcastJson(data) {
    if (this.#mode !== "up") return;
    for (const c of this.#connections.values()) {
      if (!c.ws) continue;
      const message = { type: "message", from: "server", dataType: "json", data };
      if (c.reliable) message.sequenceId = ++c.sequence;
      c.ws.send(JSON.stringify(message));
    }
  }

  /** Sends a group message to the group's open connections. */
  sendToGroup(group, data) {
    for (const c of this.#connections.values()) {
      if (!c.ws || !c.groups.has(group)) continue;
      const message = { type: "message", from: "group", group, dataType: "text", data };
      if (c.reliable) message.sequenceId = ++c.sequence;
      c.ws.send(JSON.stringify(message));
    }
  }

  /** Open connections now. */
  get openConnections() {
    return [...this.#connections.values()].filter((c) => c.ws).length;
  }

  async close() {
    await this.down();
  }

  #upgrade(req, socket, head) {
    const url = new URL(req.url, "http://localhost");
    const recoveryId = url.searchParams.get("awps_connection_id");
    this.attempts.push({ recovery: recoveryId !== null, at: Date.now() });
    if (this.#mode === "partition") return; // accepted, never answered
    if (this.#mode !== "up") {
      socket.destroy();
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const reliable = ws.protocol === "json.reliable.webpubsub.azure.v1";
      let connection;
      if (recoveryId !== null) {
        connection = this.#connections.get(recoveryId);
        if (!connection || url.searchParams.get("awps_reconnection_token") !== connection.token) {
          ws.close(1008, "the connection cannot be recovered");
          return;
        }
      } else {
        const id = `${this.name}-${++this.#nextId}`;
        connection = { id, token: `token-${id}`, reliable, sequence: 0, groups: new Set(), ws: null, socket: null };
        this.#connections.set(id, connection);
      }
      connection.ws = ws;
      connection.socket = socket;
      ws.on("close", () => {
        if (connection.ws === ws) connection.ws = null;
        if (!reliable) this.#connections.delete(connection.id);
      });
      ws.on("message", (raw) => this.#received(connection, JSON.parse(raw.toString())));
      ws.send(JSON.stringify({ type: "system", event: "connected", userId: url.searchParams.get("access_token"),
        connectionId: connection.id, reconnectionToken: connection.token }));
    });
  }

  #received(connection, frame) {
    if (this.#mode !== "up") return;
    const ack = () => connection.ws?.send(JSON.stringify({ type: "ack", ackId: frame.ackId, success: true }));
    switch (frame.type) {
      case "ping":
        connection.ws?.send(JSON.stringify({ type: "pong" }));
        break;
      case "joinGroup":
        connection.groups.add(frame.group);
        this.joins.push({ group: frame.group, connectionId: connection.id });
        ack();
        break;
      case "leaveGroup":
        connection.groups.delete(frame.group);
        ack();
        break;
      case "event":
      case "sendToGroup":
        if (frame.ackId !== undefined) ack();
        break;
      default:
        break;
    }
  }
}

/**
 * An app server's GET /resume as xregion answers it, over `history` (the envelopes broadcast, in position order);
 * a position before `oldest` is a gap. Every request's query is kept in `resumes`.
 */
function answerResume(negotiate, query, res) {
  negotiate.resumes.push({ userId: query.get("userId"), stream: query.get("stream"), after: query.get("after") });
  if (negotiate.resumeFailWith) {
    res.writeHead(negotiate.resumeFailWith, { "Content-Type": "application/json" })
      .end(JSON.stringify({ error: { code: "Unavailable", message: "no" } }));
    return;
  }
  const stream = query.get("stream");
  const held = negotiate.history.filter((e) => e.stream === stream);
  const newest = held.at(-1)?.position ?? "0-0";
  const after = query.get("after");
  const n = (p) => Number(p.split("-")[1]);
  let body;
  if (after === null) {
    body = { stream, gap: false, position: newest, more: false, messages: [] };
  } else if (n(after) < negotiate.oldest) {
    body = { stream, gap: true, position: newest, more: false, messages: [] };
  } else {
    const messages = held.filter((e) => n(e.position) > n(after));
    body = { stream, gap: false, position: messages.at(-1)?.position ?? after, more: false, messages };
  }
  res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(body));
}

/**
 * An app server's GET /negotiate: answers the instance `target(avoid)` names (with `region` and `home`, the home
 * being the one asked for, else `defaultHome`), or the status `failWith` says, or nothing while `hang`; each answer
 * after `delayMs` (a cold app server).
 */
export class FakeNegotiate {
  /** every request's query: { userId, home, avoid } */
  requests = [];
  /** /resume: the envelopes broadcast, the oldest position number still held, every request */
  history = [];
  oldest = 0;
  resumes = [];
  resumeFailWith = 0;
  failWith = 0;
  hang = false;
  delayMs = 0;
  #server;
  #hanging = new Set();

  constructor(region, target, defaultHome) {
    this.region = region;
    this.target = target;
    this.defaultHome = defaultHome ?? region;
  }

  static async start(region, target, defaultHome) {
    const negotiate = new FakeNegotiate(region, target, defaultHome);
    negotiate.#server = http.createServer((req, res) => negotiate.#answer(req, res));
    await new Promise((resolve) => negotiate.#server.listen(0, "127.0.0.1", resolve));
    return negotiate;
  }

  get url() {
    return `http://127.0.0.1:${this.#server.address().port}/negotiate`;
  }

  #answer(req, res) {
    const url = new URL(req.url, "http://localhost");
    const query = url.searchParams;
    if (url.pathname === "/resume") {
      answerResume(this, query, res);
      return;
    }
    this.requests.push({ userId: query.get("userId"), home: query.get("home"), avoid: query.get("avoid"),
      authorization: req.headers.authorization, ...(query.has("envelope") ? { envelope: query.get("envelope") } : {}) });
    if (this.hang) {
      this.#hanging.add(res);
      return;
    }
    if (this.failWith) {
      res.writeHead(this.failWith, { "Content-Type": "application/json" })
        .end(JSON.stringify({ error: { code: "Unavailable", message: "no" } }));
      return;
    }
    const respond = () => {
      const instance = this.target(query.get("avoid"));
      res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({
        url: instance.clientUrl(query.get("userId") ?? "anonymous"), region: instance.name,
        home: query.get("home") ?? this.defaultHome,
      }));
    };
    if (this.delayMs) setTimeout(respond, this.delayMs);
    else respond();
  }

  async close() {
    for (const res of this.#hanging) res.destroy();
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

/** Resolves once `condition()` is true, checking every 10 ms; fails after `ms` naming `what`. */
export async function until(what, condition, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Records a client's events in order. */
export function record(client, events = ["connected", "disconnected", "connect-failed", "server-message",
  "group-message", "stopped", "gap"]) {
  const seen = [];
  for (const event of events) client.on(event, (e) => seen.push({ event, at: Date.now(), ...e }));
  return seen;
}
