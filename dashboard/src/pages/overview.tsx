/** The overview: entry points, counts by status per protocol and kind, providers, features. */
import { FetchState } from '../components/bits.js';
import { usePollMany } from '../live.js';
import { countsOf, featuresOf } from '../logic/overview.js';
import { isJsonObject, str, strings } from '../logic/request-path.js';
import { kindsOf, listHref, PROTOCOLS, protocolLabel, type Kind } from '../logic/route.js';

const KIND_LABEL: Readonly<Record<Kind, string>> = { routers: 'Routers', services: 'Services', middlewares: 'Middlewares' };

/** A count that links to the list filtered by that status (plain text when zero). */
function CountCell({ id, n, href, label, cls }: { id: string; n: number; href: string; label: string; cls?: string }) {
  return (
    <td data-count={id} class={n > 0 && cls !== undefined ? cls : undefined}>
      {n > 0 ? (
        <a href={href} aria-label={`${n} ${label}`}>
          {n}
        </a>
      ) : (
        n
      )}
    </td>
  );
}

export function Overview() {
  const results = usePollMany(['overview', 'entrypoints']);
  const overview = results.get('overview');
  const eps = results.get('entrypoints');
  const data = overview?.answer?.body;
  const epList = Array.isArray(eps?.answer?.body) ? (eps.answer.body as unknown[]).filter(isJsonObject) : [];
  const providers = isJsonObject(data) ? strings(data, 'providers') : [];
  const features = featuresOf(data);

  return (
    <>
      <h1 id="page-title" tabIndex={-1}>
        Overview
      </h1>
      <FetchState fetched={overview} what="the overview" />
      <section aria-labelledby="eps-title">
        <h2 id="eps-title">Entry points</h2>
        <FetchState fetched={eps} what="the entry points" />
        <ul class="cards">
          {epList.map((ep) => (
            <li key={str(ep, 'name')} class="card" data-entrypoint={str(ep, 'name')}>
              <span class="card-title">{str(ep, 'name')}</span>
              <code>{str(ep, 'address')}</code>
            </li>
          ))}
        </ul>
      </section>
      <div class="protocols">
      {data !== undefined &&
        PROTOCOLS.map((p) => (
          <section key={p} aria-labelledby={`ov-${p}`}>
            <h2 id={`ov-${p}`}>{protocolLabel(p)}</h2>
            <table class="counts" aria-labelledby={`ov-${p}`}>
              <thead>
                <tr>
                  <th scope="col">Kind</th>
                  <th scope="col">Total</th>
                  <th scope="col">Success</th>
                  <th scope="col">Warnings</th>
                  <th scope="col">Errors</th>
                </tr>
              </thead>
              <tbody>
                {kindsOf(p).map((k) => {
                  const c = countsOf(data, p, k);
                  const id = `${p}-${k}`;
                  return (
                    <tr key={k}>
                      <th scope="row">
                        <a href={listHref(p, k)}>{KIND_LABEL[k]}</a>
                      </th>
                      <td data-count={`${id}-total`}>{c.total}</td>
                      <CountCell id={`${id}-success`} n={c.success} href={listHref(p, k, { status: 'enabled' })} label={`${protocolLabel(p)} ${k} enabled`} />
                      <CountCell id={`${id}-warnings`} n={c.warnings} href={listHref(p, k, { status: 'warning' })} label={`${protocolLabel(p)} ${k} with warnings`} cls="warn-text" />
                      <CountCell id={`${id}-errors`} n={c.errors} href={listHref(p, k, { status: 'disabled' })} label={`${protocolLabel(p)} ${k} with errors`} cls="bad-text" />
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </section>
        ))}
      </div>
      <div class="two-col">
        <section aria-labelledby="ov-providers">
          <h2 id="ov-providers">Providers</h2>
          {providers.length === 0 ? (
            <p class="muted">None configured.</p>
          ) : (
            <ul class="chips">
              {providers.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          )}
        </section>
        <section aria-labelledby="ov-features">
          <h2 id="ov-features">Features</h2>
          <ul class="chips">
            {features.map((f) => (
              <li key={f.name} class={f.on ? 'on' : 'off'}>
                {f.name}: <strong>{f.value}</strong>
              </li>
            ))}
          </ul>
        </section>
      </div>
    </>
  );
}
