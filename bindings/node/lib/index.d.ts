// The types of konaplate-crypto: the addon's classes and functions (from
// native.d.ts, generated from the Rust doc comments), the error classes
// (errors.d.ts) and the HTTP ends.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AcceptedRequest, Client, Server } from '../native';

export {
  AcceptedRequest,
  Client,
  CorrelationIds,
  Fields,
  Keyring,
  PreparedRequest,
  PreparedResponse,
  RequestHead,
  RouteTable,
  Server,
  TokenSigner,
  newCorrelationId,
  openEnvelope,
  openEnvelopeAsync,
  sealEnvelope,
  sealEnvelopeAsync,
} from '../native';
export * from './errors';

/** Options of `konaFetch`. */
export interface KonaFetchOptions {
  /** The `fetch` that sends (the global one by default). */
  fetch?: typeof globalThis.fetch;
}

/**
 * A `fetch`-compatible function over `client`: each request is prepared
 * for its route (signed; sealed where the route says), sent, its answer
 * checked (the correlation id must be the request's) and returned with its
 * clear body. A body that is a stream is refused (`StreamingBody`) before
 * anything is sent.
 */
export declare function konaFetch(client: Client, options?: KonaFetchOptions): typeof globalThis.fetch;

/** A request that passed `konaMiddleware`. */
export interface KonaRequest extends IncomingMessage {
  /** The verified request: its clear `body`, `headers`, `keyId`, `route`. */
  kona: AcceptedRequest;
}

/** Options of `konaMiddleware`. */
export interface KonaMiddlewareOptions {
  /** The largest request body read, in bytes (1 MiB). */
  maxBody?: number;
}

/**
 * A `(req, res, next)` middleware for Node's `http`, Express and Connect:
 * verifies each request with `server`, puts it on `req.kona` and protects
 * what the handler sends as the route says. Refusals answer
 * `{"code","message"}` with the category's status.
 */
export declare function konaMiddleware(
  server: Server,
  options?: KonaMiddlewareOptions,
): (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;
