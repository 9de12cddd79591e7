/**
 * passTLSClientCert: passes the client certificate chain (leaf first) the client presented on a
 * mutual-TLS connection to the backend in `X-Forwarded-Tls-Client-Cert` (`pem`) and
 * `X-Forwarded-Tls-Client-Cert-Info` (`info`); formats in cert-headers.ts.
 *
 * When the request has no client certificate, a header this middleware is configured to write is
 * REMOVED from the request, so a client cannot forge it. (Traefik leaves it alone and relies on
 * the entry point dropping X-Forwarded-Tls-Client-Cert* from untrusted peers; with
 * forwardedHeaders.trustedIPs/insecure a forged header would reach the backend there.)
 *
 * Cost: the values are computed once per certificate chain (the TLS front end hands the same
 * array to every request of a connection) and cached weakly by that array.
 */
import type { X509Certificate } from 'node:crypto';
import type { PassTlsClientCertInfoOptions, PassTlsClientCertOptions } from '../../config/dynamic/schema/middlewares/pass-tls-client-cert.js';
import type { Exchange, Handler, Middleware } from '../../exchange/exchange.js';
import type { MiddlewareFactory } from '../registry.js';
import { infoHeaderValue, pemHeaderValue } from './cert-headers.js';

export const X_FORWARDED_TLS_CLIENT_CERT = 'X-Forwarded-Tls-Client-Cert';
export const X_FORWARDED_TLS_CLIENT_CERT_INFO = 'X-Forwarded-Tls-Client-Cert-Info';

type Chain = readonly X509Certificate[];

/** Computes the header values of a chain once per chain object. */
class ChainHeaders {
  private readonly cache = new WeakMap<Chain, { pem: string | undefined; info: string | undefined }>();

  constructor(
    private readonly pem: boolean,
    private readonly info: PassTlsClientCertInfoOptions | undefined,
  ) {}

  of(chain: Chain): { pem: string | undefined; info: string | undefined } {
    let v = this.cache.get(chain);
    if (v === undefined) {
      v = {
        pem: this.pem ? pemHeaderValue(chain) : undefined,
        info: this.info === undefined ? undefined : infoHeaderValue(this.info, chain),
      };
      this.cache.set(chain, v);
    }
    return v;
  }
}

export const passTLSClientCert: MiddlewareFactory<'passTLSClientCert'> = {
  kind: 'passTLSClientCert',
  create(options: PassTlsClientCertOptions): Middleware {
    const { pem, info } = options;
    if (!pem && info === undefined) return (next: Handler): Handler => next;
    const headers = new ChainHeaders(pem, info);
    return (next: Handler): Handler =>
      function passTlsClientCertHandler(ex: Exchange) {
        const chain = ex.tls?.peerCertificates;
        if (chain === undefined || chain.length === 0) {
          if (pem) ex.headers.delete(X_FORWARDED_TLS_CLIENT_CERT);
          if (info !== undefined) ex.headers.delete(X_FORWARDED_TLS_CLIENT_CERT_INFO);
          return next(ex);
        }
        const v = headers.of(chain);
        if (v.pem !== undefined) ex.headers.set(X_FORWARDED_TLS_CLIENT_CERT, v.pem);
        if (v.info !== undefined) ex.headers.set(X_FORWARDED_TLS_CLIENT_CERT_INFO, v.info);
        return next(ex);
      };
  },
};
