// @xregion/web-pubsub-client: the official @azure/web-pubsub-client, made to fail over fast between regions.
export { XRegionClient, DEFAULTS } from "./xregionClient.js";
export { FrontNegotiator, NegotiateError } from "./negotiator.js";
