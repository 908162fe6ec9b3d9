'use strict';
// konaplate-crypto for Node.js: the addon's classes and functions with
// their errors as classes, plus the HTTP ends (`konaFetch`,
// `konaMiddleware`). Everything that touches a secret, a key or a body
// runs in the Rust core.

const { inspect } = require('node:util');
const native = require('../native.js');
const { KonaError, classes, guarded, guardedClass } = require('./errors.js');

const TokenSigner = guardedClass(native.TokenSigner);
const CorrelationIds = guardedClass(native.CorrelationIds);
const Keyring = guardedClass(native.Keyring);
const Fields = guardedClass(native.Fields);
const RouteTable = guardedClass(native.RouteTable);
const Client = guardedClass(native.Client);
const Server = guardedClass(native.Server);
const PreparedRequest = guardedClass(native.PreparedRequest);
const RequestHead = guardedClass(native.RequestHead);
const AcceptedRequest = guardedClass(native.AcceptedRequest);
const PreparedResponse = guardedClass(native.PreparedResponse);

// `inspect` (and so `console.log`) shows what `toString` shows: key ids,
// never a secret or key material.
for (const cls of [native.TokenSigner, native.Keyring]) {
  Object.defineProperty(cls.prototype, inspect.custom, {
    value() {
      return this.toString();
    },
  });
}

const api = {
  TokenSigner,
  CorrelationIds,
  Keyring,
  Fields,
  RouteTable,
  Client,
  Server,
  PreparedRequest,
  RequestHead,
  AcceptedRequest,
  PreparedResponse,
  newCorrelationId: guarded(native.newCorrelationId),
  sealEnvelope: guarded(native.sealEnvelope),
  sealEnvelopeAsync: guarded(native.sealEnvelopeAsync, 'sealEnvelopeAsync'),
  openEnvelope: guarded(native.openEnvelope),
  openEnvelopeAsync: guarded(native.openEnvelopeAsync, 'openEnvelopeAsync'),
  KonaError,
  ...classes,
};

module.exports = api;
// The HTTP ends use the guarded classes above.
module.exports.konaFetch = require('./fetch.js').konaFetch;
module.exports.konaMiddleware = require('./middleware.js').konaMiddleware;
