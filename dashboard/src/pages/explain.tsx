/**
 * The request explainer: a form (URL, method, headers, client IP, entry point) whose answer comes
 * from `/api/explain` — the entry point, the router that won and why (its rule with each matcher's
 * true/false), the routers tried before it and what failed in each, the middleware chain, the
 * service and its servers; for a 404 the nearest routers and the usual causes.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, apiGet } from '../api.js';
import { StatusBadge } from '../components/bits.js';
import { usePoll } from '../live.js';
import { explainApiPath, flattenTrace, METHODS, parseHeaderLines, resultWord } from '../logic/explain-view.js';
import { isJsonObject, num, obj, str, strings, type Json, type JsonObject } from '../logic/request-path.js';
import { detailHref, formatRoute, type ExplainParams, type Route } from '../logic/route.js';
import { navigate } from '../navigate.js';

type Outcome = { readonly state: 'idle' } | { readonly state: 'loading' } | { readonly state: 'done'; readonly body: JsonObject } | { readonly state: 'failed'; readonly message: string };

function objects(v: Json | undefined): JsonObject[] {
  return Array.isArray(v) ? v.filter(isJsonObject) : [];
}

function Trace({ trace }: { trace: Json | undefined }) {
  const rows = flattenTrace(trace);
  if (rows.length === 0) return null;
  return (
    <ul class="trace" aria-label="Rule evaluation">
      {rows.map((r, i) => (
        <li key={i} class={`depth-${Math.min(r.depth, 6)} ${r.result ? 'ok-text' : 'bad-text'}`}>
          <span class="mark" aria-hidden="true">
            {r.result ? '✓' : '✗'}
          </span>{' '}
          {r.operator ? <strong>{r.label}</strong> : <code>{r.label}</code>} <span class="result">{resultWord(r.result)}</span>
        </li>
      ))}
    </ul>
  );
}

function ServiceInfo({ service }: { service: JsonObject }) {
  const name = str(service, 'name');
  const servers = objects(service['servers']);
  const children = objects(service['children']);
  return (
    <div class="service-info">
      <p>
        <a href={detailHref('http', 'services', name)}>{name}</a> <span class="muted">{str(service, 'type')}</span> <StatusBadge status={str(service, 'status')} />
        {str(service, 'role') !== '' && <span class="muted"> ({str(service, 'role')})</span>}
      </p>
      {servers.length > 0 && (
        <ul class="plain servers" aria-label={`Servers of ${name}`}>
          {servers.map((s) => (
            <li key={str(s, 'url')}>
              <StatusBadge status={str(s, 'status')} /> <code>{str(s, 'url')}</code>
            </li>
          ))}
        </ul>
      )}
      {children.length > 0 && (
        <ul class="plain nested">
          {children.map((c, i) => (
            <li key={i}>
              <ServiceInfo service={c} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function RouterTable({ rows, caption, nearest }: { rows: JsonObject[]; caption: string; nearest?: boolean }) {
  return (
    <div class="table-wrap">
      <table class="list">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Router</th>
            <th scope="col">Priority</th>
            <th scope="col">Rule</th>
            {nearest && <th scope="col">Matched</th>}
            <th scope="col">Failed matchers</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={str(r, 'name')}>
              <th scope="row">
                <a href={detailHref('http', 'routers', str(r, 'name'))}>{str(r, 'name')}</a>
              </th>
              <td>{num(r, 'priority') ?? ''}</td>
              <td>
                <code class="rule">{str(r, 'rule')}</code>
              </td>
              {nearest && (
                <td>
                  {num(r, 'matched') ?? 0} of {num(r, 'of') ?? 0}
                </td>
              )}
              <td>
                {strings(r, 'failed').map((f) => (
                  <code key={f} class="failed">
                    {f}
                  </code>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Answer({ body }: { body: JsonObject }) {
  const req = obj(body, 'request');
  const ep = obj(body, 'entryPoint');
  const router = obj(body, 'router');
  const service = obj(body, 'service');
  const routed = str(body, 'result') === 'routed';
  const tried = objects(body['triedBefore']);
  const triedTotal = num(body, 'triedBeforeTotal') ?? tried.length;
  const notes = strings(body, 'notes');
  return (
    <div class="answer" data-result={str(body, 'result')}>
      <p class={`verdict ${routed ? 'ok' : 'bad'}`}>
        {routed ? (
          <>
            Routed by <strong>{str(router, 'name')}</strong> to <strong>{str(service, 'name')}</strong>
          </>
        ) : (
          <>404 Not Found: no router of entry point {str(ep, 'name')} matches this request.</>
        )}
      </p>
      <dl class="facts" aria-label="Request as routed">
        <div>
          <dt>Entry point</dt>
          <dd>
            {str(ep, 'name')} <code>{str(ep, 'address')}</code> <span class="muted">(chosen by {str(ep, 'chosenBy')})</span>
          </dd>
        </div>
        <div>
          <dt>Request</dt>
          <dd>
            <code>
              {str(req, 'method')} {str(req, 'host')}
              {str(req, 'path')}
              {str(req, 'query') !== '' ? `?${str(req, 'query')}` : ''}
            </code>{' '}
            from {str(req, 'clientIP')} {req?.['tls'] === true ? 'over TLS' : 'in plain HTTP'}
          </dd>
        </div>
      </dl>
      {notes.length > 0 && (
        <section aria-labelledby="notes-title">
          <h3 id="notes-title">Notes</h3>
          <ul>
            {notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        </section>
      )}
      {router !== undefined && (
        <section aria-labelledby="winner-title">
          <h3 id="winner-title">
            Router <a href={detailHref('http', 'routers', str(router, 'name'))}>{str(router, 'name')}</a> <StatusBadge status={str(router, 'status')} />
          </h3>
          <p>
            Priority {num(router, 'priority') ?? ''}, rule <code class="rule">{str(router, 'rule')}</code>
          </p>
          <Trace trace={router['trace']} />
        </section>
      )}
      {routed && (
        <section aria-labelledby="chain-title">
          <h3 id="chain-title">Middlewares</h3>
          {objects(body['middlewares']).length === 0 ? (
            <p class="muted">None.</p>
          ) : (
            <ol class="chain">
              {objects(body['middlewares']).map((m, i) => (
                <li key={i}>
                  <a href={detailHref('http', 'middlewares', str(m, 'name'))}>{str(m, 'name')}</a> <span class="muted">{str(m, 'type')}</span> <StatusBadge status={str(m, 'status')} />{' '}
                  <span class="muted">from {str(m, 'from')}</span>
                </li>
              ))}
            </ol>
          )}
        </section>
      )}
      {service !== undefined && (
        <section aria-labelledby="service-title">
          <h3 id="service-title">Service</h3>
          <ServiceInfo service={service} />
        </section>
      )}
      {!routed && objects(body['nearest']).length > 0 && <RouterTable rows={objects(body['nearest'])} caption="Nearest routers and what failed in each" nearest />}
      {tried.length > 0 && (
        <RouterTable
          rows={tried}
          caption={
            routed
              ? `Routers tried before the winner (${triedTotal} of ${num(body, 'routersInTable') ?? '?'} in the table)`
              : `Routers tried (all ${triedTotal} of the table), none matched`
          }
        />
      )}
    </div>
  );
}

export function ExplainPage({ params }: { params: ExplainParams }) {
  const [url, setUrl] = useState(params.url);
  const [method, setMethod] = useState(params.method || 'GET');
  const [headers, setHeaders] = useState(params.headers.join('\n'));
  const [clientIP, setClientIP] = useState(params.clientIP);
  const [entryPoint, setEntryPoint] = useState(params.entryPoint);
  const [headerErrors, setHeaderErrors] = useState<string[]>([]);
  const [run, setRun] = useState(0);
  const [outcome, setOutcome] = useState<Outcome>({ state: 'idle' });
  const eps = usePoll('entrypoints', false);
  const epNames = Array.isArray(eps?.answer?.body) ? (eps.answer.body as unknown[]).filter(isJsonObject).map((e) => str(e, 'name')) : [];

  useEffect(() => {
    setUrl(params.url);
    setMethod(params.method || 'GET');
    setHeaders(params.headers.join('\n'));
    setClientIP(params.clientIP);
    setEntryPoint(params.entryPoint);
  }, [params]);

  const apiPath = params.url.trim() === '' ? undefined : explainApiPath(params);
  useEffect(() => {
    if (apiPath === undefined) return setOutcome({ state: 'idle' });
    const ctl = new AbortController();
    setOutcome({ state: 'loading' });
    apiGet(apiPath, ctl.signal).then(
      (a) => setOutcome(isJsonObject(a.body) ? { state: 'done', body: a.body } : { state: 'failed', message: 'unexpected answer' }),
      (err: unknown) => {
        if (!ctl.signal.aborted) setOutcome({ state: 'failed', message: err instanceof ApiError || err instanceof Error ? err.message : String(err) });
      },
    );
    return () => ctl.abort();
  }, [apiPath, run]);

  const onSubmit = (e: Event): void => {
    e.preventDefault();
    const parsed = parseHeaderLines(headers);
    setHeaderErrors(parsed.errors);
    if (parsed.errors.length > 0) return;
    const next: Route = { page: 'explain', params: { url: url.trim(), method, headers: parsed.headers.map(([k, v]) => `${k}: ${v}`), clientIP: clientIP.trim(), entryPoint } };
    // The same question again: ask again (the hash does not change, so the route does not either).
    if (formatRoute(next) === window.location.hash) setRun((n) => n + 1);
    else navigate(next);
  };

  return (
    <>
      <h1 id="page-title" tabIndex={-1}>
        Explain a request
      </h1>
      <p class="muted">Which entry point, router, middlewares, service and server a request would meet — and why, or why not.</p>
      <form class="explain-form" onSubmit={onSubmit} aria-label="Request to explain">
        <label class="wide">
          URL
          <input type="text" name="url" required value={url} placeholder="http://example.com:80/path?q=1" spellcheck={false} autocomplete="off" onInput={(e) => setUrl(e.currentTarget.value)} />
        </label>
        <label>
          Method
          <select name="method" value={method} onChange={(e) => setMethod(e.currentTarget.value)}>
            {METHODS.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <label>
          Entry point
          <select name="entryPoint" value={entryPoint} onChange={(e) => setEntryPoint(e.currentTarget.value)}>
            <option value="">By the URL's port</option>
            {epNames.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <label>
          Client IP
          <input type="text" name="clientIP" value={clientIP} placeholder="127.0.0.1" spellcheck={false} onInput={(e) => setClientIP(e.currentTarget.value)} />
        </label>
        <label class="wide">
          Headers <span class="muted">(one "Name: value" per line)</span>
          <textarea
            name="headers"
            rows={3}
            value={headers}
            spellcheck={false}
            aria-invalid={headerErrors.length > 0}
            aria-describedby={headerErrors.length > 0 ? 'header-errors' : undefined}
            onInput={(e) => setHeaders(e.currentTarget.value)}
          />
        </label>
        {headerErrors.length > 0 && (
          <ul id="header-errors" class="alert" role="alert">
            {headerErrors.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        )}
        <div class="wide">
          <button type="submit" class="primary">
            Explain
          </button>
        </div>
      </form>
      <section aria-labelledby="answer-title" aria-live="polite" aria-busy={outcome.state === 'loading'}>
        <h2 id="answer-title">Answer</h2>
        {outcome.state === 'idle' && <p class="muted">Enter a URL and press Explain.</p>}
        {outcome.state === 'loading' && <p class="muted">Explaining…</p>}
        {outcome.state === 'failed' && (
          <p class="alert" role="alert">
            {outcome.message}
          </p>
        )}
        {outcome.state === 'done' && <Answer body={outcome.body} />}
      </section>
    </>
  );
}
