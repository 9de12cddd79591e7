/**
 * The readers of stripPrefixRegex, replacePath, replacePathRegex, redirectScheme, redirectRegex,
 * contentType and chain: normalised options, and every bad option reported with its key path
 * (the middleware is then left out).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DynamicValidation, validateDynamic } from '../../../../../src/config/dynamic/validate.js';
import { parseDynamicFile } from '../../../../../src/providers/file/parse.js';

function check(yaml: string): DynamicValidation {
  const parsed = parseDynamicFile('dyn.yml', yaml);
  if (!parsed.ok) throw new Error(`test YAML does not parse: ${parsed.diagnostic.message}`);
  return validateDynamic(parsed.raw, { source: 'dyn.yml', locate: parsed.locate });
}

/** One middleware `m` with the given YAML body (already indented under the type). */
const mw = (body: string): string => `http:\n  middlewares:\n    m:\n${body}\n`;

void describe('path, redirect, contentType and chain readers: accepted', () => {
  const cases: { desc: string; yaml: string; want: unknown; warning?: RegExp }[] = [
    {
      desc: 'stripPrefixRegex: patterns trimmed, a single string is a list',
      yaml: mw('      stripPrefixRegex:\n        regex: " /foo/[a-z0-9]+/ "'),
      want: { kind: 'stripPrefixRegex', options: { regex: ['/foo/[a-z0-9]+/'] } },
    },
    {
      desc: 'stripPrefixRegex: keys are case-insensitive',
      yaml: mw('      StripPrefixRegex:\n        Regex: ["^/a", "^/b/[0-9]+"]'),
      want: { kind: 'stripPrefixRegex', options: { regex: ['^/a', '^/b/[0-9]+'] } },
    },
    { desc: 'replacePath', yaml: mw('      replacePath:\n        path: /foo'), want: { kind: 'replacePath', options: { path: '/foo' } } },
    {
      desc: 'replacePathRegex: regex trimmed, replacement kept',
      yaml: mw('      replacePathRegex:\n        regex: " ^/foo/(.*) "\n        replacement: /bar/$1'),
      want: { kind: 'replacePathRegex', options: { regex: '^/foo/(.*)', replacement: '/bar/$1' } },
    },
    {
      desc: 'redirectScheme: defaults, scheme lower-cased, numeric port becomes text',
      yaml: mw('      redirectScheme:\n        scheme: HTTPS\n        port: 8443'),
      want: { kind: 'redirectScheme', options: { scheme: 'https', port: '8443', permanent: false } },
    },
    {
      desc: 'redirectScheme: permanent as a Go boolean string',
      yaml: mw('      redirectScheme:\n        scheme: https\n        permanent: "true"'),
      want: { kind: 'redirectScheme', options: { scheme: 'https', port: '', permanent: true } },
    },
    {
      desc: 'redirectRegex: regex not trimmed, replacement defaults to empty',
      yaml: mw('      redirectRegex:\n        regex: "^http://localhost/(.*)"\n        permanent: true'),
      want: { kind: 'redirectRegex', options: { regex: '^http://localhost/(.*)', replacement: '', permanent: true } },
    },
    { desc: 'contentType: empty section turns detection on', yaml: mw('      contentType: {}'), want: { kind: 'contentType', options: { autoDetect: true } } },
    { desc: 'contentType: empty value too', yaml: mw('      contentType:'), want: { kind: 'contentType', options: { autoDetect: true } } },
    {
      desc: 'contentType: autoDetect is deprecated (warning)',
      yaml: mw('      contentType:\n        autoDetect: false'),
      want: { kind: 'contentType', options: { autoDetect: false } },
      warning: /deprecated/,
    },
    {
      desc: 'chain: names kept as written',
      yaml: mw('      chain:\n        middlewares: [a, b@docker]'),
      want: { kind: 'chain', options: { middlewares: ['a', 'b@docker'] } },
    },
    { desc: 'chain: no list is an empty chain', yaml: mw('      chain: {}'), want: { kind: 'chain', options: { middlewares: [] } } },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      const r = check(c.yaml);
      const errors = r.diagnostics.filter((d) => d.severity === 'error');
      assert.deepEqual(errors, []);
      assert.deepEqual(r.config.http.middlewares['m'], c.want);
      if (c.warning) assert.match(r.diagnostics[0]?.message ?? '', c.warning);
      else assert.deepEqual(r.diagnostics, []);
    });
  }
});

void describe('path, redirect, contentType and chain readers: refused', () => {
  const cases: { desc: string; yaml: string; code: string; path: string; message: RegExp }[] = [
    {
      desc: 'stripPrefixRegex: a pattern Go refuses, at its index',
      yaml: mw('      stripPrefixRegex:\n        regex: ["^/ok", "^/(?=no)"]'),
      code: 'TPK_CFG_INVALID_VALUE',
      path: 'http.middlewares.m.stripPrefixRegex.regex[1]',
      message: /invalid regular expression "\^\/\(\?=no\)": look-ahead/,
    },
    {
      desc: 'stripPrefixRegex: unknown key with a suggestion',
      yaml: mw('      stripPrefixRegex:\n        regexp: ["^/a"]'),
      code: 'TPK_CFG_UNKNOWN_KEY',
      path: 'http.middlewares.m.stripPrefixRegex.regexp',
      message: /did you mean "regex"/,
    },
    {
      desc: 'replacePath: path is required',
      yaml: mw('      replacePath: {}'),
      code: 'TPK_CFG_MISSING_KEY',
      path: 'http.middlewares.m.replacePath.path',
      message: /"path" is required/,
    },
    {
      desc: 'replacePath: a bad %-escape',
      yaml: mw('      replacePath:\n        path: /100%'),
      code: 'TPK_CFG_INVALID_VALUE',
      path: 'http.middlewares.m.replacePath.path',
      message: /not followed by two hex digits/,
    },
    {
      desc: 'replacePathRegex: regex is required',
      yaml: mw('      replacePathRegex:\n        replacement: /x'),
      code: 'TPK_CFG_MISSING_KEY',
      path: 'http.middlewares.m.replacePathRegex.regex',
      message: /"regex" is required/,
    },
    {
      desc: 'replacePathRegex: replacement is required',
      yaml: mw('      replacePathRegex:\n        regex: ^/a'),
      code: 'TPK_CFG_MISSING_KEY',
      path: 'http.middlewares.m.replacePathRegex.replacement',
      message: /"replacement" is required/,
    },
    {
      desc: 'replacePathRegex: an unbalanced group',
      yaml: mw('      replacePathRegex:\n        regex: ^/(a\n        replacement: /x'),
      code: 'TPK_CFG_INVALID_VALUE',
      path: 'http.middlewares.m.replacePathRegex.regex',
      message: /missing closing \)/,
    },
    {
      desc: 'redirectScheme: scheme is required',
      yaml: mw('      redirectScheme:\n        port: "443"'),
      code: 'TPK_CFG_MISSING_KEY',
      path: 'http.middlewares.m.redirectScheme.scheme',
      message: /"scheme" is required/,
    },
    {
      desc: 'redirectScheme: not a scheme',
      yaml: mw('      redirectScheme:\n        scheme: "https://"'),
      code: 'TPK_CFG_INVALID_VALUE',
      path: 'http.middlewares.m.redirectScheme.scheme',
      message: /expected a URL scheme/,
    },
    {
      desc: 'redirectScheme: port out of range',
      yaml: mw('      redirectScheme:\n        scheme: https\n        port: "70000"'),
      code: 'TPK_CFG_INVALID_VALUE',
      path: 'http.middlewares.m.redirectScheme.port',
      message: /port number from 1 to 65535/,
    },
    {
      desc: 'redirectScheme: permanent is not a boolean',
      yaml: mw('      redirectScheme:\n        scheme: https\n        permanent: sometimes'),
      code: 'TPK_CFG_INVALID_VALUE',
      path: 'http.middlewares.m.redirectScheme.permanent',
      message: /expected true or false/,
    },
    {
      desc: 'redirectRegex: regex is required',
      yaml: mw('      redirectRegex:\n        replacement: http://x/'),
      code: 'TPK_CFG_MISSING_KEY',
      path: 'http.middlewares.m.redirectRegex.regex',
      message: /"regex" is required/,
    },
    {
      desc: 'redirectRegex: back-references are not RE2',
      yaml: mw('      redirectRegex:\n        regex: (a)\\1\n        replacement: http://x/'),
      code: 'TPK_CFG_INVALID_VALUE',
      path: 'http.middlewares.m.redirectRegex.regex',
      message: /invalid regular expression/,
    },
    {
      desc: 'redirectRegex: a line break in the replacement',
      yaml: mw('      redirectRegex:\n        regex: ^http://a/\n        replacement: "http://b/\\r\\nX-Evil: 1"'),
      code: 'TPK_CFG_INVALID_VALUE',
      path: 'http.middlewares.m.redirectRegex.replacement',
      message: /line break/,
    },
    {
      desc: 'contentType: autoDetect not a boolean',
      yaml: mw('      contentType:\n        autoDetect: maybe'),
      code: 'TPK_CFG_INVALID_VALUE',
      path: 'http.middlewares.m.contentType.autoDetect',
      message: /expected true or false/,
    },
    {
      desc: 'chain: an empty name',
      yaml: mw('      chain:\n        middlewares: [a, ""]'),
      code: 'TPK_CFG_INVALID_VALUE',
      path: 'http.middlewares.m.chain.middlewares[1]',
      message: /expected a middleware name/,
    },
    {
      desc: 'chain: middlewares is not a list of strings',
      yaml: mw('      chain:\n        middlewares: [{a: b}]'),
      code: 'TPK_CFG_INVALID_VALUE',
      path: 'http.middlewares.m.chain.middlewares[0]',
      message: /expected a string/,
    },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      const r = check(c.yaml);
      const d = r.diagnostics.find((x) => x.severity === 'error');
      assert.ok(d, 'an error is reported');
      assert.equal(d.code, c.code);
      assert.equal(d.path, c.path);
      assert.equal(d.object, 'm');
      assert.match(d.message, c.message);
      assert.match(d.message, /this middleware is left out/);
      assert.equal(r.config.http.middlewares['m'], undefined);
    });
  }
});
