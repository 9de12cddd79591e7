/**
 * replacePathRegex: when the Go regexp matches the escaped path, every match is replaced by the
 * replacement (Go's ReplaceAllString: `$1`, `${1}`, `${name}`, `$$`), the old path is added in
 * `X-Replaced-Path`, and the result is sent as an escaped path (what Go would escape is escaped).
 * A result with a bad %-escape is answered 500 with Go's message, as Traefik does. An empty
 * replacement makes the middleware do nothing (Traefik's rule).
 */
import type { ReplacePathRegexOptions } from '../../config/dynamic/schema/middlewares/replace-path-regex.js';
import type { Exchange, Handler, Middleware } from '../../exchange/exchange.js';
import type { MiddlewareFactory } from '../registry.js';
import { compileGoRegexp, goMatch, goReplaceAll, parseGoTemplate } from '../shared/go-regexp.js';
import { badEscapeMessage, bytesText, utf8Bytes, wirePathOfRaw } from '../shared/url-path.js';
import { REPLACED_PATH_HEADER } from '../replace-path/replace-path.js';

// eslint-disable-next-line no-control-regex
const ASCII = /^[\x00-\x7f]*$/;

export const replacePathRegex: MiddlewareFactory<'replacePathRegex'> = {
  kind: 'replacePathRegex',
  create(options: ReplacePathRegexOptions): Middleware {
    if (options.replacement === '') return (next: Handler): Handler => next;
    const g = compileGoRegexp(options.regex);
    const template = parseGoTemplate(options.replacement, g.captureNames);
    return (next: Handler): Handler =>
      function replacePathRegexHandler(ex: Exchange) {
        const current = ex.path;
        const ascii = ASCII.test(current);
        const text = ascii ? current : bytesText(current);
        if (!goMatch(g, text)) return next(ex);
        const replaced = goReplaceAll(g, text, template);
        const raw = utf8Bytes(replaced);
        const path = wirePathOfRaw(raw);
        if (path === null) {
          ex.response.sendText(500, badEscapeMessage(raw) + '\n');
          return;
        }
        ex.headers.add(REPLACED_PATH_HEADER, current);
        ex.path = path;
        return next(ex);
      };
  },
};
