/** defaultRule templates, constraints expressions and normalize (compiled once, errors with offsets). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileConstraints } from '../../../../src/providers/docker/constraints.js';
import { compileDefaultRule, type DefaultRuleModel } from '../../../../src/providers/docker/default-rule.js';
import { containerServiceName, normalize } from '../../../../src/providers/docker/normalize.js';

const model: DefaultRuleModel = { Name: 'web-shop', ContainerName: 'Shop_Web.1', Labels: { app: 'api', 'com.docker.compose.service': 'web', env: 'prod' } };

void describe('compileDefaultRule', () => {
  const cases = [
    { desc: "Traefik's default", tpl: 'Host(`{{ normalize .Name }}`)', want: 'Host(`web-shop`)' },
    { desc: 'field', tpl: 'Host(`{{ .Name }}.example.com`)', want: 'Host(`web-shop.example.com`)' },
    { desc: 'container name through a pipeline', tpl: 'Host(`{{ .ContainerName | normalize | lower }}`)', want: 'Host(`shop-web-1`)' },
    { desc: 'index with a double-quoted key', tpl: 'Host(`{{ index .Labels "com.docker.compose.service" }}.local`)', want: 'Host(`web.local`)' },
    { desc: 'a missing label is empty', tpl: '{{ index .Labels "nope" }}x', want: 'x' },
    { desc: '.Labels.key', tpl: '{{ .Labels.app }}', want: 'api' },
    { desc: 'trim markers', tpl: 'Host(`a`)   {{- " && " -}}   Path(`/b`)', want: 'Host(`a`) && Path(`/b`)' },
    { desc: 'parentheses and sprig string functions', tpl: '{{ upper (trimPrefix "Shop_" .ContainerName) }}|{{ replace "-" "." .Name }}|{{ trimSuffix ".1" .ContainerName }}', want: 'WEB.1|web.shop|Shop_Web' },
    { desc: 'backtick string', tpl: '{{ `lit` }}', want: 'lit' },
    { desc: 'no action', tpl: 'PathPrefix(`/`)', want: 'PathPrefix(`/`)' },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      const t = compileDefaultRule(c.tpl);
      assert.ok(typeof t !== 'string', typeof t === 'string' ? t : '');
      assert.equal(t.render(model), c.want);
    });
  }
  const errors = [
    { desc: 'unknown function', tpl: 'Host(`{{ title .Name }}`)', match: /function "title" is not supported.*offset 9/ },
    { desc: 'unknown field', tpl: '{{ .Image }}', match: /unknown field "\.Image"/ },
    { desc: 'if', tpl: '{{ if .Name }}x{{ end }}', match: /"if" is not supported/ },
    { desc: 'variables', tpl: '{{ $x := .Name }}', match: /variables/ },
    { desc: 'unclosed', tpl: 'Host(`{{ .Name `)', match: /unclosed action/ },
    { desc: 'map printed', tpl: '{{ .Labels }}', match: /\.Labels is a map/ },
    { desc: 'wrong arity', tpl: '{{ normalize .Name .Name }}', match: /normalize takes 1 argument, got 2/ },
    { desc: 'index of text', tpl: '{{ index .Name "x" }}', match: /expects \.Labels/ },
    { desc: 'comment', tpl: '{{/* c */}}', match: /comments/ },
  ];
  for (const c of errors) {
    void it(`refuses: ${c.desc}`, () => {
      const t = compileDefaultRule(c.tpl);
      assert.equal(typeof t, 'string');
      assert.match(t as string, c.match);
    });
  }
});

void describe('compileConstraints', () => {
  const labels = { env: 'prod', team: 'ops-1', 'a.b': 'x' };
  const cases = [
    { desc: 'empty matches all', expr: '', want: true },
    { desc: 'Label equal', expr: 'Label(`env`, `prod`)', want: true },
    { desc: 'Label differs', expr: 'Label("env", "dev")', want: false },
    { desc: 'LabelRegex unanchored', expr: 'LabelRegex(`team`, `ops`)', want: true },
    { desc: 'LabelRegex on a missing label tests ""', expr: 'LabelRegex(`nope`, `^$`)', want: true },
    { desc: 'not', expr: '!Label(`env`, `prod`)', want: false },
    { desc: 'and / or / parentheses', expr: '(Label(`env`,`dev`) || Label(`a.b`,`x`)) && !LabelRegex(`team`, `^dev`)', want: true },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      const m = compileConstraints(c.expr);
      assert.ok(typeof m !== 'string', typeof m === 'string' ? m : '');
      assert.equal(m(labels), c.want);
    });
  }
  const errors = [
    { desc: 'unknown function', expr: 'Tag(`x`)', match: /at position 0: unknown matcher 'Tag'/ },
    { desc: 'syntax', expr: 'Label(`a`, `b`) &&', match: /at position 18/ },
    { desc: 'arity', expr: 'Label(`a`)', match: /Label takes 2 arguments/ },
    { desc: 'bad RE2', expr: 'LabelRegex(`a`, `(?=x)`)', match: /at position 16: invalid regexp/ },
  ];
  for (const c of errors) {
    void it(`refuses: ${c.desc}`, () => {
      const m = compileConstraints(c.expr);
      assert.equal(typeof m, 'string');
      assert.match(m as string, c.match);
    });
  }
});

void describe('normalize', () => {
  const cases = [
    { desc: 'underscore and dot', in: 'my_app.1', want: 'my-app-1' },
    { desc: 'leading slash and runs', in: '/a--b__c', want: 'a-b-c' },
    { desc: 'unicode letters kept', in: 'café_ü', want: 'café-ü' },
    { desc: 'case kept', in: 'Web_Shop', want: 'Web-Shop' },
  ];
  for (const c of cases) void it(c.desc, () => assert.equal(normalize(c.in), c.want));
  void it('compose service name needs both labels', () => {
    assert.equal(containerServiceName({ name: 'x_1', labels: { 'com.docker.compose.project': 'p', 'com.docker.compose.service': 's' } }), 's-p');
    assert.equal(containerServiceName({ name: 'x_1', labels: { 'com.docker.compose.project': 'p' } }), 'x-1');
  });
});
