/**
 * The web dashboard in a real browser: Debian's Chromium driven by playwright-core against the
 * real binary (api.insecure, a watched dynamic file, real upstreams, one of them dead behind a
 * health check). It checks the counts shown against the API, follows a router to its service and
 * its servers' health, runs explanations, sees a router added to the file appear without a page
 * reload (also in the history), walks the page with the keyboard, measures text contrast (WCAG AA)
 * in light and dark, and saves screenshots under test-output/dashboard/.
 *
 * Skipped only when /usr/bin/chromium is missing and CI is not `true` (CI installs it).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { BIN, REPO_ROOT, TurnpikeProcess, type LogRecord } from '../helpers/turnpike-process.js';
import { namedUpstream, startUpstream, type Upstream } from '../helpers/upstream.js';
import { get } from '../helpers/http-client.js';
import { waitFor } from '../helpers/wait.js';
import { closedPort } from '../helpers/ports.js';
import { contrastRatio, over, parseColor, type Rgba } from '../../dashboard/src/logic/contrast.js';

const CHROMIUM = '/usr/bin/chromium';
const SKIP = !existsSync(CHROMIUM) && process.env['CI'] !== 'true' ? `${CHROMIUM} is not installed (CI=true runs this test)` : false;
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** <outDir> of this build: the binary serves <outDir>/dashboard/. */
const OUT_DIR = join(dirname(BIN), '..', '..');
const ASSETS = join(OUT_DIR, 'dashboard');
const SHOTS = join(REPO_ROOT, 'test-output', 'dashboard');
/** Same as test/helpers: a bcrypt hash the API must never show. */
const AUTH_HASH = '$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/';

function newestSource(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    newest = Math.max(newest, st.isDirectory() ? newestSource(p) : st.mtimeMs);
  }
  return newest;
}

/** Builds the dashboard into this outDir when it is missing or older than its sources. */
function ensureBuilt(): void {
  const index = join(ASSETS, 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newestSource(join(REPO_ROOT, 'dashboard'))) return;
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'build-dashboard.mjs'), '--outdir', ASSETS, '--quiet'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `dashboard build failed: ${r.stderr}`);
}

function dynamicYaml(a: Upstream, b: Upstream, deadPort: number, extraRouter = ''): string {
  return `http:
  routers:
    app:
      rule: "Host(\`app.test\`) && PathPrefix(\`/x\`)"
      entryPoints: [web]
      middlewares: [strip, auth]
      service: app-svc
    other:
      rule: "PathPrefix(\`/v1\`)"
      entryPoints: [web]
      priority: 5
      service: b-svc
    broken:
      rule: "Host(\`broken.test\`)"
      entryPoints: [web]
      service: nowhere
${extraRouter}
  middlewares:
    strip:
      stripPrefix:
        prefixes: ["/x"]
    auth:
      basicAuth:
        users: ["test:${AUTH_HASH}"]
  services:
    app-svc:
      loadBalancer:
        healthCheck:
          path: /health
          interval: 500ms
          timeout: 300ms
        servers:
          - url: "${a.url}"
          - url: "http://127.0.0.1:${deadPort}"
    b-svc:
      loadBalancer:
        servers:
          - url: "${b.url}"
`;
}

const FRESH_ROUTER = `    fresh:
      rule: "Host(\`fresh.test\`)"
      entryPoints: [web]
      service: b-svc
`;

/**
 * Runs in the page: for every visible element with its own text, its colour and the background
 * colours from it up to <html> (composited in node), and whether the text is large (WCAG: 24px,
 * or 18.66px bold).
 */
const TEXT_COLOURS_SCRIPT = `(() => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim() !== '');
    if (!own) continue;
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === 'hidden' || cs.display === 'none' || Number(cs.opacity) === 0) continue;
    const bgs = [];
    for (let p = el; p; p = p.parentElement) bgs.push(getComputedStyle(p).backgroundColor);
    const size = parseFloat(cs.fontSize);
    const bold = Number(cs.fontWeight) >= 700;
    out.push({ text: el.textContent.trim().slice(0, 40), tag: el.tagName, color: cs.color, bgs, large: size >= 24 || (bold && size >= 18.66) });
  }
  return out;
})()`;

interface TextColour {
  text: string;
  tag: string;
  color: string;
  bgs: string[];
  large: boolean;
}

function effectiveBackground(bgs: readonly string[]): Rgba {
  let colour: Rgba = { r: 255, g: 255, b: 255, a: 1 };
  for (let i = bgs.length - 1; i >= 0; i--) {
    const c = parseColor(bgs[i] as string);
    if (c !== undefined && c.a > 0) colour = over(c, colour);
  }
  return colour;
}

/** The values of `attribute` of every element `selector` finds, in document order. */
async function attributes(page: Page, selector: string, attribute: string): Promise<(string | null)[]> {
  return Promise.all((await page.locator(selector).all()).map((l) => l.getAttribute(attribute)));
}

async function contrastFailures(page: Page): Promise<string[]> {
  const items = await page.evaluate<TextColour[]>(TEXT_COLOURS_SCRIPT);
  assert.ok(items.length > 10, 'the page shows text');
  const failures: string[] = [];
  for (const it of items) {
    const bg = effectiveBackground(it.bgs);
    const fg = parseColor(it.color);
    if (fg === undefined) {
      failures.push(`${it.tag} "${it.text}": colour ${it.color} not understood`);
      continue;
    }
    const ratio = contrastRatio(over(fg, bg), bg);
    const need = it.large ? 3 : 4.5;
    if (ratio < need) failures.push(`${it.tag} "${it.text}": ${ratio.toFixed(2)} < ${need} (${it.color} on ${JSON.stringify(bg)})`);
  }
  return failures;
}

describe('dashboard in a real browser', { skip: SKIP }, () => {
  let dir: string;
  let file: string;
  let a: Upstream;
  let b: Upstream;
  let deadPort: number;
  let tp: TurnpikeProcess;
  let apiPort: number;
  let origin: string;
  let profile: string;
  let ctx: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  const foreign: string[] = [];

  function writeConfig(text: string): void {
    const tmp = join(dir, `.tmp-${Math.random().toString(36).slice(2)}`);
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  }

  async function api(path: string): Promise<unknown> {
    const r = await get(apiPort, path);
    assert.equal(r.status, 200, `${path}: ${r.body}`);
    return JSON.parse(r.body) as unknown;
  }

  async function open(hash: string): Promise<void> {
    await page.goto(`${origin}/dashboard/${hash}`);
    await page.locator('#page-title').waitFor({ timeout: 10_000 });
  }

  before(async () => {
    ensureBuilt();
    mkdirSync(SHOTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'tp-dash-browser-'));
    file = join(dir, 'dynamic.yml');
    a = await startUpstream((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(req.url === '/health' ? 'ok' : 'A');
    });
    b = await namedUpstream('B');
    deadPort = await closedPort();
    writeConfig(dynamicYaml(a, b, deadPort));
    const staticFile = join(dir, 'static.yml');
    writeFileSync(
      staticFile,
      `entryPoints:
  web:
    address: "127.0.0.1:0"
  traefik:
    address: "127.0.0.1:0"
api:
  insecure: true
providers:
  providersThrottleDuration: 20ms
  file:
    filename: "${file}"
log:
  level: INFO
  format: json
`,
    );
    tp = new TurnpikeProcess([`--configFile=${staticFile}`]);
    const listening = await tp.waitForLog('traefik entry point', (r: LogRecord) => r.msg === 'entryPoint listening' && r['entryPoint'] === 'traefik', 20_000);
    apiPort = listening['port'] as number;
    origin = `http://127.0.0.1:${apiPort}`;
    await tp.waitForLog('first configuration', (r) => r.msg === 'configuration applied', 20_000);

    profile = mkdtempSync(join(tmpdir(), 'tp-chromium-'));
    ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 860 }, colorScheme: 'light' });
    page = ctx.pages()[0] ?? (await ctx.newPage());
    page.setDefaultTimeout(15_000);
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      if (!r.url().startsWith(`${origin}/`) && !r.url().startsWith('data:')) foreign.push(r.url());
    });
  });

  after(async () => {
    await ctx?.close();
    await tp?.stop();
    await a?.close();
    await b?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('redirects / to /dashboard/ and shows the counts the API reports', async () => {
    await page.goto(`${origin}/`);
    assert.equal(new URL(page.url()).pathname, '/dashboard/');
    await page.locator('[data-count="http-routers-total"]').waitFor();
    const overview = (await api('/api/overview')) as Record<string, Record<string, { total: number; warnings: number; errors: number }>>;
    for (const [protocol, kinds] of [
      ['http', ['routers', 'services', 'middlewares']],
      ['tcp', ['routers', 'services', 'middlewares']],
      ['udp', ['routers', 'services']],
    ] as const) {
      for (const kind of kinds) {
        const want = overview[protocol]?.[kind] ?? { total: 0, warnings: 0, errors: 0 };
        const shown = async (what: string): Promise<number> => Number(await page.locator(`[data-count="${protocol}-${kind}-${what}"]`).innerText());
        assert.equal(await shown('total'), want.total, `${protocol} ${kind} total`);
        assert.equal(await shown('warnings'), want.warnings, `${protocol} ${kind} warnings`);
        assert.equal(await shown('errors'), want.errors, `${protocol} ${kind} errors`);
        assert.equal(await shown('success'), want.total - want.warnings - want.errors, `${protocol} ${kind} success`);
      }
    }
    assert.ok((overview['http']?.['routers']?.errors ?? 0) >= 1, 'the broken router counts as an error');
    assert.deepEqual(await attributes(page, '[data-entrypoint]', 'data-entrypoint'), ['traefik', 'web']);
  });

  it('follows a router to its service and shows the servers health', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'HTTP', exact: true }).click();
    const row = page.locator('tr[data-name="app@file"]');
    await row.waitFor();
    await row.getByRole('link', { name: 'app@file' }).click();
    await page.locator('#page-title', { hasText: 'app@file' }).waitFor();
    const path = page.getByRole('list', { name: 'Request path' });
    for (const name of ['web', 'app@file', 'strip@file', 'auth@file', 'app-svc@file']) await path.getByText(name, { exact: true }).first().waitFor();
    await path.getByRole('link', { name: 'app-svc@file' }).click();
    await page.locator('#page-title', { hasText: 'app-svc@file' }).waitFor();
    // The health check marks the dead server DOWN; the page follows within a poll.
    await page.locator(`tr[data-server="http://127.0.0.1:${deadPort}"]`, { hasText: 'DOWN' }).waitFor({ timeout: 20_000 });
    await page.locator(`tr[data-server="${a.url}"]`, { hasText: 'UP' }).waitFor();
    const svc = (await api('/api/http/services/app-svc@file')) as { serverStatus: Record<string, string> };
    assert.deepEqual(svc.serverStatus, { [a.url]: 'UP', [`http://127.0.0.1:${deadPort}`]: 'DOWN' });
    await page.getByRole('link', { name: 'app@file' }).first().waitFor();

    await open('#/http/middlewares/auth@file');
    await page.getByText('basicAuth', { exact: true }).first().waitFor();
    assert.ok(!(await page.content()).includes(AUTH_HASH), 'the basicAuth hash is never shown');
  });

  it('runs an explanation: the winner with its rule trace, then a 404', async () => {
    await open('#/explain');
    await page.getByLabel('URL', { exact: true }).fill('http://app.test/x/hello');
    await page.getByLabel('Entry point').selectOption('web');
    await page.getByLabel(/^Headers/).fill('X-Test: 1');
    await page.getByRole('button', { name: 'Explain' }).click();
    const answer = page.locator('.answer[data-result="routed"]');
    await answer.waitFor();
    assert.match(await answer.locator('.verdict').innerText(), /Routed by app@file to app-svc@file/);
    const trace = page.getByRole('list', { name: 'Rule evaluation' });
    assert.match(await trace.innerText(), /Host\(`app\.test`\)\s+true/);
    assert.match(await trace.innerText(), /PathPrefix\(`\/x`\)\s+true/);
    const chain = await page.locator('ol.chain').innerText();
    assert.ok(chain.indexOf('strip@file') >= 0 && chain.indexOf('strip@file') < chain.indexOf('auth@file'), chain);
    assert.match(new URL(page.url()).hash, /url=http%3A%2F%2Fapp\.test%2Fx%2Fhello/, 'the question is in the hash (shareable)');

    await page.getByLabel('URL', { exact: true }).fill('http://nothing.test/v2/zzz');
    await page.getByRole('button', { name: 'Explain' }).click();
    const missing = page.locator('.answer[data-result="notFound"]');
    await missing.waitFor();
    assert.match(await missing.locator('.verdict').innerText(), /404/);
    assert.match(await missing.innerText(), /other@file/, 'the routers tried are listed with what failed');

    await page.getByLabel(/^Headers/).fill('not a header');
    await page.getByRole('button', { name: 'Explain' }).click();
    await page.locator('#header-errors').waitFor();
    assert.equal(await page.getByLabel(/^Headers/).getAttribute('aria-invalid'), 'true');
  });

  it('shows a router added to the file without a page reload, also in the history', async () => {
    await open('#/http/routers');
    await page.locator('tr[data-name="app@file"]').waitFor();
    await page.evaluate('window.__sameDocument = 42');
    const applied = tp.count((r) => r.msg === 'configuration applied');
    writeConfig(dynamicYaml(a, b, deadPort, FRESH_ROUTER));
    await waitFor('configuration applied again', () => (tp.count((r) => r.msg === 'configuration applied') > applied ? true : undefined), 15_000);
    await page.locator('tr[data-name="fresh@file"]').waitFor({ timeout: 10_000 });
    assert.equal(await page.evaluate('window.__sameDocument'), 42, 'no reload happened');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'History' }).click();
    await page.locator('ul.diff li.op-added', { hasText: 'fresh@file' }).waitFor();
    assert.equal(await page.evaluate('window.__sameDocument'), 42, 'still the same document');
  });

  it('is usable with the keyboard: skip link, navigation, filters, sorting, theme toggle', async () => {
    // A fresh load, so that Tab starts at the top of the document.
    await page.goto(`${origin}/dashboard/#/http/routers`);
    await page.reload();
    await page.locator('tr[data-name="app@file"]').waitFor();
    const seen: { label: string; outline: string }[] = [];
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press('Tab');
      seen.push(
        await page.evaluate<{ label: string; outline: string }>(`(() => {
          const el = document.activeElement;
          const cs = getComputedStyle(el);
          const label = el.getAttribute('aria-label') || (el.labels && el.labels[0] ? el.labels[0].firstChild.textContent.trim() : '') || el.textContent.trim();
          return { label: el.tagName.toLowerCase() + ':' + label, outline: cs.outlineStyle + ' ' + cs.outlineWidth };
        })()`),
      );
    }
    const labels = seen.map((s) => s.label);
    for (const want of ['a:Skip to content', 'a:Overview', 'a:HTTP', 'a:Explain', 'a:History', 'button:Dark theme', 'a:Services', 'input:Search', 'select:Status', 'button:Name', 'a:app@file']) {
      assert.ok(labels.includes(want), `Tab reaches ${want}; got ${labels.join(' | ')}`);
    }
    for (const s of seen) if (!s.label.startsWith('body:')) assert.notEqual(s.outline.split(' ')[0], 'none', `focus is visible on ${s.label}`);

    // The skip link moves focus to the content.
    await page.reload();
    await page.locator('tr[data-name="app@file"]').waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement.textContent'), 'Skip to content', 'the skip link comes first');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate('document.activeElement.id'), 'main');

    // Typing a search filters through the API and keeps the focus in the box.
    await page.getByLabel('Search').focus();
    await page.keyboard.type('other');
    await waitFor('the list filtered', async () => ((await page.locator('tbody tr[data-name]').count()) === 1 ? true : undefined));
    assert.equal(await page.locator('tbody tr[data-name]').getAttribute('data-name'), 'other@file');
    assert.equal(await page.evaluate('document.activeElement.name'), 'search');
    assert.match(new URL(page.url()).hash, /search=other/);

    // Sorting from the keyboard: Enter on a column header asks the API for another order.
    await page.getByLabel('Search').fill('');
    await page.getByRole('button', { name: 'Priority' }).focus();
    await page.keyboard.press('Enter');
    await page.locator('th[aria-sort="ascending"]', { has: page.getByRole('button', { name: 'Priority' }) }).waitFor();
    assert.match(new URL(page.url()).hash, /sortBy=priority/);
    assert.doesNotMatch(new URL(page.url()).hash, /search=/, 'the emptied search box counts');
    // The API sorted by the configured priority: unset (0) < 5 (other@file) < MaxInt (api@internal).
    const order = await attributes(page, 'tbody tr[data-name]', 'data-name');
    assert.deepEqual(order.slice(-2), ['other@file', 'api@internal']);

    // The theme toggle works with Space.
    const toggle = page.getByRole('button', { name: 'Dark theme' });
    await toggle.focus();
    await page.keyboard.press('Space');
    assert.equal(await page.evaluate('document.documentElement.dataset.theme'), 'dark');
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
    await page.keyboard.press('Space');
    assert.equal(await page.evaluate('document.documentElement.dataset.theme'), 'light');
    await page.evaluate('localStorage.clear(); delete document.documentElement.dataset.theme');
  });

  it('meets WCAG AA text contrast in light and dark, and saves screenshots', async () => {
    const pages: [string, string, string][] = [
      ['overview', '#/', '[data-count="http-routers-total"]'],
      ['routers', '#/http/routers', 'tr[data-name="app@file"]'],
      ['router', '#/http/routers/app@file', 'ol.path .stage-servers'],
      ['explain', '#/explain?url=http%3A%2F%2Fapp.test%2Fx%2Fhello&entryPoint=web&header=X-Test%3A%201', '.answer'],
      ['explain-404', '#/explain?url=http%3A%2F%2Fnothing.test%2F&entryPoint=web', '.answer'],
      ['history', '#/history', '.history-entry'],
    ];
    // No hover colour under a resting mouse, no colour caught mid-transition.
    await page.mouse.move(1275, 855);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
      for (const [name, hash, ready] of pages) {
        await open(hash);
        await page.locator(ready).first().waitFor();
        assert.equal(await page.evaluate(`matchMedia('(prefers-color-scheme: dark)').matches`), scheme === 'dark');
        const failures = await contrastFailures(page);
        assert.deepEqual(failures, [], `${name} (${scheme})`);
        await page.screenshot({ path: join(SHOTS, `${name}-${scheme}.png`), fullPage: true });
      }
    }
    // The toggle overrides the system: dark on a light system.
    await page.emulateMedia({ colorScheme: 'light' });
    await open('#/');
    await page.getByRole('button', { name: 'Dark theme' }).click();
    const bg = parseColor(await page.evaluate<string>('getComputedStyle(document.documentElement).backgroundColor'));
    assert.ok(bg !== undefined && bg.r < 40 && bg.g < 40 && bg.b < 40, 'dark background');
    assert.deepEqual(await contrastFailures(page), []);
    await page.screenshot({ path: join(SHOTS, 'overview-toggled-dark.png'), fullPage: true });
    await page.evaluate('localStorage.clear()');
  });

  it('loaded nothing from elsewhere and logged no error (CSP included)', () => {
    assert.deepEqual(foreign, []);
    assert.deepEqual(problems, []);
  });
});
