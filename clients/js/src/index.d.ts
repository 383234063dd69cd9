// Types of @xregion/web-pubsub-client.
import type {
  OnGroupDataMessageArgs,
  OnRejoinGroupFailedArgs,
  OnServerDataMessageArgs,
  GroupDataMessage,
  ServerDataMessage,
  JoinGroupOptions,
  LeaveGroupOptions,
  SendEventOptions,
  SendToGroupOptions,
  WebPubSubClientOptions,
  WebPubSubDataType,
  WebPubSubResult,
  JSONTypes,
} from "@azure/web-pubsub-client";

export interface XRegionClientOptions {
  /** The app servers' negotiate URLs, this client's own region first (the global front). */
  negotiateUrls: string[];
  /** Sent as `userId` (the app's identity mode `none`; with `jwt` or `header` the app ignores it). */
  userId?: string;
  /** This client's home region; else the first negotiate answer's, kept from then on. */
  home?: string;
  /** Headers for every negotiate, e.g. `() => ({ Authorization: "Bearer " + token })`. */
  headers?: () => Record<string, string> | Promise<Record<string, string>>;
  /** "json" (json.webpubsub.azure.v1, the default) or "reliable" (json.reliable.webpubsub.azure.v1). */
  protocol?: "json" | "reliable";
  /** A ping this often while connected (default 300). */
  keepAliveIntervalInMs?: number;
  /** A connection silent this long is given up (default 1000; at least twice the interval). */
  keepAliveTimeoutInMs?: number;
  /** How long a WebSocket handshake may take (default 2000). */
  connectTimeoutMs?: number;
  /** How long a dropped reliable connection may try to recover before the client negotiates again (default 1000). */
  recoveryBudgetMs?: number;
  /** How long one app server may take to answer negotiate (default 2000). */
  negotiateTimeoutMs?: number;
  /** How long to wait for one app server before asking the next as well (default 250). */
  negotiateHedgeMs?: number;
  /**
   * How long an instance this client lost (its connection dropped, went silent or would not open) is named as
   * `avoid` on negotiate, so that the app server hands out another one before its own probes see the loss (default
   * 10000; 0: never).
   */
  avoidMs?: number;
  /** The first delay before a failed connect is tried again, doubled up to maxRetryDelayMs, with jitter (default 100). */
  retryDelayMs?: number;
  /** Default 5000. */
  maxRetryDelayMs?: number;
  /** A message's id, if it carries one: a second message with an id seen among the last dedupWindow is dropped. */
  messageId?: (message: ServerDataMessage | GroupDataMessage) => string | number | undefined | null;
  /** Default 10000. */
  dedupWindow?: number;
  /** Other options for each official client (messageRetryOptions...); the library sets protocol, autoReconnect and keep-alive. */
  clientOptions?: Omit<WebPubSubClientOptions, "protocol" | "autoReconnect" | "keepAliveIntervalInMs" | "keepAliveTimeoutInMs">;
  /**
   * Continuity (xregion's GET /resume; the app's xregion.continuity.enabled): negotiate asks for envelopes
   * (`envelope=v1`), every new connection first gets what `streams` had since the positions last seen (before any
   * live message), a message whose id was delivered already is dropped, and a stream that cannot answer for a
   * position emits `gap`. Messages keep their shape; `message.id`, `message.stream` and `message.position` are added.
   * Default false.
   */
  resume?: boolean;
  /** The streams to resume: "all", "group:<name>", "user:<userId>" (default ["all"]). */
  streams?: string[];
  /** A resume asks from the oldest of the last this many positions seen (default 32): see the README. */
  resumeOverlap?: number;
  /** The fetch to negotiate with (default: the global one). */
  fetch?: typeof fetch;
}

export interface OnConnectedArgs {
  connectionId: string;
  userId?: string;
  /** The instance this connection is on, as negotiate named it. */
  region?: string;
  home?: string;
}

export interface OnDisconnectedArgs {
  connectionId?: string;
  region?: string;
  /** "connection closed", "recovery budget spent" */
  reason: string;
  /** The service's disconnected message, if it sent one. */
  message?: unknown;
}

export interface OnConnectFailedArgs {
  /** "could not connect" */
  reason: string;
  /** A NegotiateError, or the WebSocket's failure. */
  error?: unknown;
  attempt: number;
  retryInMs: number;
}

export declare const DEFAULTS: Readonly<Required<Pick<XRegionClientOptions, "protocol" | "keepAliveIntervalInMs"
  | "keepAliveTimeoutInMs" | "connectTimeoutMs" | "recoveryBudgetMs" | "negotiateTimeoutMs" | "negotiateHedgeMs"
  | "avoidMs" | "retryDelayMs" | "maxRetryDelayMs" | "dedupWindow">>>;

export declare class XRegionClient {
  constructor(options: XRegionClientOptions);
  readonly region: string | undefined;
  readonly home: string | undefined;
  start(): Promise<void>;
  stop(): void;
  on(event: "connected", listener: (e: OnConnectedArgs) => void): void;
  on(event: "disconnected", listener: (e: OnDisconnectedArgs) => void): void;
  on(event: "connect-failed", listener: (e: OnConnectFailedArgs) => void): void;
  on(event: "server-message", listener: (e: OnServerDataMessageArgs) => void): void;
  on(event: "group-message", listener: (e: OnGroupDataMessageArgs) => void): void;
  on(event: "rejoin-group-failed", listener: (e: OnRejoinGroupFailedArgs) => void): void;
  on(event: "stopped", listener: (e: object) => void): void;
  on(event: "gap", listener: (e: OnGapArgs) => void): void;
  off(event: string, listener: (e: any) => void): void;
  joinGroup(group: string, options?: JoinGroupOptions): Promise<WebPubSubResult>;
  leaveGroup(group: string, options?: LeaveGroupOptions): Promise<WebPubSubResult>;
  sendEvent(eventName: string, content: JSONTypes | ArrayBuffer, dataType: WebPubSubDataType,
    options?: SendEventOptions): Promise<WebPubSubResult>;
  sendToGroup(group: string, content: JSONTypes | ArrayBuffer, dataType: WebPubSubDataType,
    options?: SendToGroupOptions): Promise<WebPubSubResult>;
}

export interface NegotiateAnswer {
  url: string;
  region?: string;
  home?: string;
  /** The index of the URL that answered. */
  via: number;
}

export declare class FrontNegotiator {
  constructor(options: {
    urls: string[];
    userId?: string;
    home?: string;
    headers?: () => Record<string, string> | Promise<Record<string, string>>;
    timeoutMs?: number;
    hedgeMs?: number;
    fetch?: typeof fetch;
  });
  readonly home: string | undefined;
  negotiate(signal?: AbortSignal, avoid?: string): Promise<NegotiateAnswer>;
}

export declare class NegotiateError extends Error {
  failures: { url: string; status?: number; error?: string }[];
}

export interface OnGapArgs {
  /** The stream that cannot answer for what followed `since`. */
  stream: string;
  /** Where the client stands now: re-sync, then messages after this one follow. */
  position?: string;
  since?: string;
  /** "outside the history" (older than the app's window, or the history was lost) or "resume failed" */
  reason: string;
  error?: unknown;
}
