// What this library assumes of @azure/web-pubsub-client 1.1.0, checked on the official client alone (no library
// code). Each test fails when the SDK changes the behaviour that src/watchedClient.js and src/xregionClient.js work
// around: then the workaround can go (or must change), as the failure message says.
//
// Three of them wait out a short window in which something must NOT happen (the SDK noticing a silent peer, or
// giving up): a window of three seconds against an SDK timeout of 30 s.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { WebPubSubClient, WebPubSubJsonProtocol, WebPubSubJsonReliableProtocol } from "@azure/web-pubsub-client";
import { FakeInstance, until } from "./fakes.js";

const WINDOW_MS = 3000;
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function officialClient(instance, protocol, options = {}) {
  const client = new WebPubSubClient(instance.clientUrl(), {
    protocol: protocol === "reliable" ? WebPubSubJsonReliableProtocol() : WebPubSubJsonProtocol(),
    autoReconnect: false,
    // no keep-alive unless a test asks (the SDK's keep-alive loops keep a timer of up to 40 s after stop())
    keepAliveIntervalInMs: 0,
    keepAliveTimeoutInMs: 0,
    ...options,
  });
  const events = [];
  for (const event of ["connected", "disconnected", "stopped"]) client.on(event, () => events.push(event));
  client.on("server-message", (e) => events.push(`message ${e.message.data}`));
  return { client, events };
}

/**
 * Lets a recovery succeed and waits until the client has the connection (a message arrives), so that stop() ends
 * it: a stop() while the recovery's socket is still opening does not (see "stop() during a recovery").
 */
async function recoverThenStop(instance, client, events) {
  await instance.up();
  await until("the recovered connection", () => {
    instance.broadcast("recovered");
    return events.includes("message recovered");
  });
  client.stop();
}

describe("@azure/web-pubsub-client 1.1.0 as this library knows it", { concurrency: true }, () => {
  test("every connection and recovery attempt gets its socket from _getWebSocketClientFactory().create", async () => {
    const instance = await FakeInstance.start("eastus");
    const created = [];
    class Spy extends WebPubSubClient {
      _getWebSocketClientFactory() {
        const factory = super._getWebSocketClientFactory();
        return { create: (uri, protocolName) => (created.push({ uri, protocolName }), factory.create(uri, protocolName)) };
      }
    }
    assert.equal(typeof WebPubSubClient.prototype._getWebSocketClientFactory, "function",
      "WebPubSubClient.prototype._getWebSocketClientFactory is gone: src/watchedClient.js must watch sockets another way");
    const client = new Spy(instance.clientUrl(), { protocol: WebPubSubJsonReliableProtocol(), autoReconnect: false,
      keepAliveIntervalInMs: 0, keepAliveTimeoutInMs: 0 });
    const received = [];
    client.on("server-message", (e) => received.push(e.message.data));
    try {
      await client.start();
      instance.drop();
      await until("the recovered connection", () => {
        instance.broadcast("recovered");
        return received.includes("recovered");
      });
      assert.equal(created.length, 2, "the private factory method is no longer used for every socket: "
        + "src/watchedClient.js must watch sockets another way");
      assert.equal(created[0].protocolName, "json.reliable.webpubsub.azure.v1");
      assert.ok(new URL(created[1].uri).searchParams.has("awps_connection_id"),
        "a recovery URL no longer carries awps_connection_id: src/watchedClient.js tells recovery by it");
    } finally {
      client.stop();
      await instance.close();
    }
  });

  test("a reliable connection whose instance is lost is recovered for longer than the library's budget, silently", async () => {
    const instance = await FakeInstance.start("eastus");
    const { client, events } = officialClient(instance, "reliable");
    try {
      await client.start();
      instance.reject();
      await until("three recovery attempts", () => instance.attempts.filter((a) => a.recovery).length >= 3, 10000);
      assert.deepEqual(events, ["connected"], "the official client now gives up a recovery within 2 s, or says "
        + "that it recovers: recoveryBudgetMs in src/xregionClient.js may use that instead");
    } finally {
      await recoverThenStop(instance, client, events);
      await instance.close();
    }
  });

  test("stop() during a recovery does not end it", async () => {
    const instance = await FakeInstance.start("eastus");
    const { client, events } = officialClient(instance, "reliable");
    try {
      await client.start();
      instance.reject();
      await until("a recovery attempt", () => instance.attempts.some((a) => a.recovery));
      client.stop();
      const before = instance.attempts.length;
      await until("two more recovery attempts after stop()", () => instance.attempts.length >= before + 2)
        .catch(() => assert.fail("stop() now ends a recovery: WatchedClient.abandon() in src/watchedClient.js "
          + "need not refuse sockets any more"));
      assert.ok(!events.includes("stopped"));
    } finally {
      await recoverThenStop(instance, client, events); // the stopped client recovers its connection by itself
      await instance.close();
    }
  });

  test("a silent connection is not reported closed for seconds after the keep-alive timeout", async () => {
    const instance = await FakeInstance.start("eastus");
    const { client, events } = officialClient(instance, "json", { keepAliveIntervalInMs: 300,
      keepAliveTimeoutInMs: 900 });
    try {
      await client.start();
      instance.partition();
      await pause(WINDOW_MS);
      assert.deepEqual(events, ["connected"], "the official client now reports a silent connection closed soon "
        + "after its keep-alive timeout: WatchedSocket.close() in src/watchedClient.js need not declare it closed");
    } finally {
      await instance.close();
      await until("the disconnect once the socket is reset", () => events.includes("stopped"));
    }
  });

  test("a handshake that is never answered is waited for without a deadline", async () => {
    const instance = await FakeInstance.start("eastus");
    instance.partition();
    const { client } = officialClient(instance, "json");
    let settled = false;
    const starting = client.start().then(() => (settled = true), () => (settled = true));
    try {
      await pause(WINDOW_MS);
      assert.ok(!settled, "the official client now gives a handshake a deadline: connectTimeoutMs in "
        + "src/watchedClient.js may use it");
    } finally {
      await instance.close();
      await starting;
    }
  });
});
