// The official @azure/service-bus SDK against a Service Bus emulator namespace, driven by the JUnit tests
// (OfficialJsServiceBusTest, CompetingReceiversTest): each stdin line is a JSON command {id, op, ...}, each answer one
// JSON line {id, ok, ms, ...} (or {id, ok: false, ms, error}); subscribe() handlers report {event: "message", ...}.
//   node servicebus.mjs <connection string>
import { RetryMode, ServiceBusClient } from "@azure/service-bus";
import Long from "long";
import { createInterface } from "node:readline";

const [connectionString] = process.argv.slice(2);
const report = (line) => process.stdout.write(JSON.stringify(line) + "\n");
// fast retries, so a test sees recovery after an outage in seconds (the SDK's default delay is 30 s)
const clientOptions = { retryOptions: { maxRetries: 5, retryDelayInMs: 500, mode: RetryMode.Fixed } };
const client = new ServiceBusClient(connectionString, clientOptions);
const senders = new Map();
const receivers = new Map();
// the messages each receiver got, by message id, to settle or renew later
const received = new Map();

const sender = (entity) => {
  if (!senders.has(entity)) senders.set(entity, client.createSender(entity));
  return senders.get(entity);
};

// m.body as given (the SDK JSON-encodes anything but a Buffer), or m.bodyBase64 as a Buffer (sent as it is); with
// m.bodyType ("value" or "sequence") an AmqpAnnotatedMessage whose body goes in that AMQP section
const toMessage = (m) => {
  const body = m.bodyBase64 === undefined ? m.body : Buffer.from(m.bodyBase64, "base64");
  if (m.bodyType) {
    return {
      body,
      bodyType: m.bodyType,
      properties: { messageId: m.messageId, contentType: m.contentType },
      applicationProperties: m.properties,
    };
  }
  return { body, messageId: m.messageId, contentType: m.contentType, applicationProperties: m.properties };
};

const summary = (m) => ({
  messageId: m.messageId,
  body: m.body,
  sequenceNumber: m.sequenceNumber?.toString(),
  deliveryCount: m.deliveryCount,
  lockToken: m.lockToken ?? null,
  lockedUntil: m.lockedUntilUtc?.toISOString() ?? null,
  deadLetterReason: m.deadLetterReason ?? null,
  deadLetterErrorDescription: m.deadLetterErrorDescription ?? null,
  properties: m.applicationProperties ?? {},
});

const remember = (receiverName, messages) => {
  const byId = received.get(receiverName);
  for (const m of messages) byId.set(m.messageId, m);
  return messages.map(summary);
};

const message = (command) => {
  const m = received.get(command.receiver)?.get(command.messageId);
  if (!m) throw new Error(`receiver ${command.receiver} has not received ${command.messageId}`);
  return m;
};

const operations = {
  async send(c) {
    const messages = c.messages.map(toMessage);
    await sender(c.entity).sendMessages(messages.length === 1 ? messages[0] : messages);
    return { sent: messages.length };
  },
  // one message per send, each after the previous one is accepted: messages trickle in as an app sends them
  async sendEach(c) {
    for (let i = 0; i < c.count; i++) {
      await sender(c.entity).sendMessages({ body: `${c.prefix}-${i}`, messageId: `${c.prefix}-${i}` });
    }
    return { sent: c.count };
  },
  async batch(c) {
    const batch = await sender(c.entity).createMessageBatch();
    let added = 0;
    for (const m of c.messages) if (batch.tryAddMessage(toMessage(m))) added++;
    await sender(c.entity).sendMessages(batch);
    return { added, count: batch.count };
  },
  async receiver(c) {
    const options = { receiveMode: c.mode ?? "peekLock", subQueueType: c.subQueue };
    // the SDK renews locks by itself for 5 minutes unless told not to
    if (c.autoRenew === false) options.maxAutoLockRenewalDurationInMs = 0;
    // a receiver of its own connection stands for another app server
    const owner = c.ownConnection ? new ServiceBusClient(connectionString, clientOptions) : client;
    const receiver = c.subscription
      ? owner.createReceiver(c.entity, c.subscription, options)
      : owner.createReceiver(c.entity, options);
    receivers.set(c.name, receiver);
    received.set(c.name, new Map());
    return {};
  },
  async receive(c) {
    const messages = await receivers.get(c.receiver).receiveMessages(c.count, { maxWaitTimeInMs: c.waitMs ?? 2000 });
    return { messages: remember(c.receiver, messages) };
  },
  async settle(c) {
    const receiver = receivers.get(c.receiver);
    const m = message(c);
    if (c.action === "complete") await receiver.completeMessage(m);
    else if (c.action === "abandon") await receiver.abandonMessage(m);
    else if (c.action === "defer") await receiver.deferMessage(m);
    else if (c.action === "deadLetter") {
      await receiver.deadLetterMessage(m, { deadLetterReason: c.reason, deadLetterErrorDescription: c.description });
    } else throw new Error(`no settlement ${c.action}`);
    return {};
  },
  async renew(c) {
    const m = message(c);
    const before = m.lockedUntilUtc.toISOString();
    const after = await receivers.get(c.receiver).renewMessageLock(m);
    return { before, after: after.toISOString() };
  },
  async peek(c) {
    const options = c.from === undefined ? {} : { fromSequenceNumber: Long.fromNumber(c.from) };
    const messages = await receivers.get(c.receiver).peekMessages(c.count, options);
    return { messages: messages.map(summary) };
  },
  async subscribe(c) {
    const name = c.receiver;
    const subscription = receivers.get(name).subscribe(
      {
        processMessage: async (m) => report({ event: "message", receiver: name, ...summary(m) }),
        processError: async (args) =>
          report({ event: "error", receiver: name, source: args.errorSource, message: String(args.error?.message) }),
      },
      { autoCompleteMessages: c.autoComplete ?? true, maxConcurrentCalls: c.maxConcurrentCalls ?? 1 },
    );
    receivers.get(name).subscription = subscription;
    return {};
  },
  async close(c) {
    await receivers.get(c.receiver).close();
    receivers.delete(c.receiver);
    return {};
  },
  async schedule(c) {
    const numbers = await sender(c.entity).scheduleMessages(c.messages.map(toMessage), new Date(Date.now() + 60000));
    return { sequenceNumbers: numbers.map(String) };
  },
  async cancelScheduled(c) {
    await sender(c.entity).cancelScheduledMessages(c.sequenceNumbers.map((n) => Long.fromNumber(n)));
    return {};
  },
  async receiveDeferred(c) {
    const numbers = c.sequenceNumbers.map((n) => Long.fromNumber(n));
    return { messages: remember(c.receiver, await receivers.get(c.receiver).receiveDeferredMessages(numbers)) };
  },
  async acceptSession(c) {
    const receiver = c.sessionId === undefined
      ? await client.acceptNextSession(c.entity)
      : await client.acceptSession(c.entity, c.sessionId);
    await receiver.close();
    return {};
  },
  async rules(c) {
    const rules = client.createRuleManager(c.entity, c.subscription);
    if (c.action === "create") await rules.createRule(c.rule, { sqlExpression: "1=1" });
    else if (c.action === "delete") await rules.deleteRule(c.rule);
    else {
      const names = [];
      for await (const rule of rules.listRules()) names.push(rule.name);
      return { rules: names };
    }
    return {};
  },
  async exit() {
    setTimeout(async () => {
      await client.close();
      process.exit(0);
    }, 10);
    return {};
  },
};

createInterface({ input: process.stdin }).on("line", async (line) => {
  const command = JSON.parse(line);
  const started = Date.now();
  try {
    const result = await operations[command.op](command);
    report({ id: command.id, ok: true, ms: Date.now() - started, ...result });
  } catch (e) {
    report({
      id: command.id,
      ok: false,
      ms: Date.now() - started,
      error: {
        name: e?.name ?? null,
        code: e?.code ?? null,
        // the SDK's retries throw an AggregateError of every attempt's error
        message: e?.errors ? e.errors.map((inner) => String(inner?.message ?? inner)).join("; ") : String(e?.message ?? e),
      },
    });
  }
});

report({ event: "ready" });
