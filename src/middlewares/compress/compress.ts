/**
 * compress: compresses responses with gzip or brotli (node:zlib) according to the client's
 * Accept-Encoding, as Traefik v3's compress middleware does. Never for HEAD requests, nor for
 * requests whose own Content-Type is excluded (application/grpc always is). The response side
 * (what is compressed, the minimum size, streaming) is in compress-writer.ts; negotiation in
 * accept-encoding.ts. zstd is configurable (it is Traefik's) but node:zlib on Node.js 20 cannot
 * produce it, so it is never negotiated.
 */
import type { CompressOptions } from '../../config/dynamic/schema/middlewares/compress.js';
import { parseMediaType } from '../../config/dynamic/schema/middlewares/media-type.js';
import type { Exchange, Handler, Middleware } from '../../exchange/exchange.js';
import type { MiddlewareFactory } from '../registry.js';
import { chooseEncoding, createEncodingTable } from './accept-encoding.js';
import { AVAILABLE_ENCODINGS, type CompressSettings, CompressWriter } from './compress-writer.js';

const GRPC = 'application/grpc';

export const compress: MiddlewareFactory<'compress'> = {
  kind: 'compress',
  create(options: CompressOptions): Middleware {
    const table = createEncodingTable(options.encodings, AVAILABLE_ENCODINGS, options.defaultEncoding);
    // Traefik checks the request's Content-Type against the exclusions (gRPC always among them).
    const excluded = [GRPC, ...options.excludedContentTypes.filter((t) => t !== GRPC)];
    const settings: CompressSettings = {
      minBytes: options.minResponseBodyBytes,
      excluded,
      included: [...options.includedContentTypes],
    };
    return (next: Handler): Handler => {
      if (table.names.length === 0) return next; // only zstd configured: nothing to produce
      return function compressHandler(ex: Exchange) {
        if (ex.method === 'HEAD' || ex.upgrade !== null) return next(ex);
        const ct = ex.headers.get('content-type');
        if (ct !== undefined) {
          const type = parseMediaType(ct);
          if (type !== null && excluded.includes(type)) return next(ex);
        }
        const coding = chooseEncoding(ex.headers.getAll('accept-encoding'), table);
        if (coding === null) return next(ex);
        ex.response = new CompressWriter(ex.response, settings, coding);
        return next(ex);
      };
    };
  },
};
