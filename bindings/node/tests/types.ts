// Type-checked by `tsc -p tests/tsconfig.json` (bindings/node/run), never
// run: the package's declarations say what a TypeScript caller writes.

import type { IncomingMessage } from 'node:http';
import * as km from 'konaplate-crypto';

export async function seedFlow(jwks: string, routes: string): Promise<string> {
  const keys: km.Keyring = km.Keyring.fromJwks(jwks);
  const signer = new km.TokenSigner(new Uint8Array([1, 2, 3]));
  const token: string = signer.sign('{}', { time: new Date(), zone: 'UTC', padded: false });
  signer.verify(Buffer.from('{}'), token, { maxSkewSeconds: 60, strict: true, now: '20261202120000000' });
  const client = new km.Client('000170000002000', signer, keys, km.RouteTable.fromJson(routes), {
    accessKey: 'K'.repeat(40),
  });
  const server = new km.Server(signer, keys, routes, { replayGuard: 1000, exactTranTime: true });
  const request: km.PreparedRequest = await client.prepareAsync('POST', '/api/v1/card/delivery/cancel', '{}');
  const headers: Record<string, string> = request.headers;
  const accepted: km.AcceptedRequest = server.accept('POST', '/api/v1/card/delivery/cancel', new Headers(headers), request.body);
  const params: Record<string, string> = accepted.route.params;
  const keyId: string | null = accepted.keyId;
  const response: km.PreparedResponse = await server.respondAsync(accepted, accepted.body);
  const clear: Buffer = client.finish(request, response.headers, response.body);
  const sealed: Buffer = await new km.Fields(['par'], { strict: false }).encryptAsync(clear, keys, 'B'.repeat(32));
  km.openEnvelope(km.sealEnvelope(sealed, keys, 'B'.repeat(32)), keys);
  return `${km.newCorrelationId()} ${Object.keys(params).length} ${keyId ?? ''}`;
}

export function errors(e: unknown): number {
  if (e instanceof km.TokenMismatch) {
    const code: 'token_mismatch' = e.code;
    const status: 401 = e.httpStatus;
    return code.length + status;
  }
  return e instanceof km.KonaError ? e.httpStatus : 500;
}

export function http(client: km.Client, server: km.Server): typeof fetch {
  const kona = km.konaMiddleware(server, { maxBody: 1 << 20 });
  kona({} as IncomingMessage, {} as never, () => undefined);
  return km.konaFetch(client, { fetch });
}
