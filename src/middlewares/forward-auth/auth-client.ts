/**
 * The HTTP(S) client forwardAuth calls its authentication server with: Node's own http/https
 * client with a keep-alive agent per middleware instance. (The proxy's upstream client streams an
 * Exchange's response into the client's ResponseWriter; here the answer must be read whole and
 * inspected first, which node:http does simply, with TLS client options included.)
 *
 * As Traefik's client: redirects are not followed, the whole exchange has a 30 s limit, and the
 * answer's body is read into memory (bounded by maxResponseBodySize when set).
 */
import { loadPemOf } from '../../net/pem-source.js';
import { Agent as HttpAgent, type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { ForwardAuthTlsOptions } from '../../config/dynamic/schema/middlewares/forward-auth.js';
import { HeaderList } from '../../exchange/headers.js';

/** Traefik's forwardAuth client timeout. */
export const AUTH_TIMEOUT_MS = 30_000;
/** Go's DefaultTransport IdleConnTimeout. */
const IDLE_TIMEOUT_MS = 90_000;

export interface AuthResponse {
  readonly status: number;
  /** Raw response headers, names as the server wrote them. */
  readonly headers: HeaderList;
  readonly body: Buffer;
}

/** 'tooLarge': the body passed maxResponseBodySize. */
export type AuthOutcome = AuthResponse | 'tooLarge';

export class AuthClient {
  readonly address: string;
  readonly #https: boolean;
  readonly #agent: HttpAgent;
  readonly #hostname: string;
  readonly #port: number | undefined;
  readonly #path: string;
  readonly #hostHeader: string;

  /** Throws a user-facing Error when a TLS file cannot be read. */
  constructor(address: string, tls: ForwardAuthTlsOptions | undefined) {
    const url = new URL(address);
    this.address = address;
    this.#https = url.protocol === 'https:';
    this.#hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    this.#port = url.port === '' ? undefined : Number(url.port);
    this.#path = (url.pathname === '' ? '/' : url.pathname) + url.search;
    this.#hostHeader = url.host;
    const common = { keepAlive: true, timeout: IDLE_TIMEOUT_MS };
    if (!this.#https) {
      this.#agent = new HttpAgent(common);
      return;
    }
    const tlsOptions: { ca?: string; cert?: string; key?: string; rejectUnauthorized: boolean } = {
      rejectUnauthorized: !(tls?.insecureSkipVerify ?? false),
    };
    if (tls !== undefined && tls.ca !== '') tlsOptions.ca = loadPemOf(tls.ca, 'CERTIFICATE', 'tls.ca');
    if (tls !== undefined && tls.cert !== '') {
      tlsOptions.cert = loadPemOf(tls.cert, 'CERTIFICATE', 'tls.cert');
      tlsOptions.key = loadPemOf(tls.key, 'PRIVATE KEY', 'tls.key');
    }
    this.#agent = new HttpsAgent({ ...common, ...tlsOptions });
  }

  /**
   * Send one request. Rejects on connection/TLS errors, the 30 s limit, or `signal` (the client
   * left). `headers` must not hold Host or Content-Length: they are added here.
   */
  call(method: string, headers: HeaderList, body: Buffer | null, maxResponseBytes: number, signal: AbortSignal): Promise<AuthOutcome> {
    const raw = ['Host', this.#hostHeader, ...headers.raw];
    if (body !== null) raw.push('Content-Length', String(body.length));
    return new Promise<AuthOutcome>((resolve, reject) => {
      let settled = false;
      const finish = (outcome: AuthOutcome | Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      const send = this.#https ? httpsRequest : httpRequest;
      const req = send({
        hostname: this.#hostname,
        port: this.#port,
        path: this.#path,
        method,
        headers: raw,
        agent: this.#agent,
        signal,
      });
      const timer = setTimeout(() => req.destroy(new Error(`no complete answer from ${this.address} within ${AUTH_TIMEOUT_MS / 1000}s`)), AUTH_TIMEOUT_MS);
      req.on('error', finish);
      req.on('response', (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (maxResponseBytes >= 0 && size > maxResponseBytes) {
            finish('tooLarge');
            res.destroy();
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', finish);
        res.on('aborted', () => finish(new Error(`the answer of ${this.address} was cut short`)));
        res.on('end', () => finish({ status: res.statusCode ?? 0, headers: new HeaderList(res.rawHeaders.slice()), body: Buffer.concat(chunks, size) }));
      });
      req.end(body ?? undefined);
    });
  }
}
