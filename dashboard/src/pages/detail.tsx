/**
 * One router, service or middleware: its status and errors, its main fields, the request path it
 * belongs to (entry point -> router -> middlewares -> service -> servers with UP/DOWN), who uses it,
 * and the API's object as is.
 */
import { ErrorList, Facts, FetchState, RawJson, StatusBadge } from '../components/bits.js';
import { PathDiagram } from '../components/path-diagram.js';
import { usePoll, usePollMany } from '../live.js';
import { childServices, isJsonObject, num, obj, qualify, requestPath, serversOf, str, strings, type JsonObject } from '../logic/request-path.js';
import { detailHref, listHref, protocolLabel, singular, type Kind, type Protocol } from '../logic/route.js';

const objectPath = (protocol: Protocol, kind: Kind, name: string): string => `${protocol}/${kind}/${encodeURIComponent(name)}`;

function Title({ protocol, kind, name, status }: { protocol: Protocol; kind: Kind; name: string; status: string | undefined }) {
  return (
    <>
      <p class="crumbs">
        <a href={listHref(protocol, kind)}>
          {protocolLabel(protocol)} {kind}
        </a>
      </p>
      <h1 id="page-title" tabIndex={-1}>
        <span class="muted">{protocolLabel(protocol)} {singular(kind).toLowerCase()}</span> {name} {status !== undefined && <StatusBadge status={status} />}
      </h1>
    </>
  );
}

function UsedBy({ protocol, item }: { protocol: Protocol; item: JsonObject }) {
  const users = strings(item, 'usedBy');
  return (
    <section aria-labelledby="used-by">
      <h2 id="used-by">Used by</h2>
      {users.length === 0 ? (
        <p class="muted">No router uses it.</p>
      ) : (
        <ul class="plain">
          {users.map((r) => (
            <li key={r}>
              <a href={detailHref(protocol, 'routers', r)}>{r}</a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function RouterDetail({ protocol, item }: { protocol: Protocol; item: JsonObject }) {
  const provider = str(item, 'provider');
  const middlewareNames = strings(item, 'middlewares').map((m) => qualify(m, provider));
  const serviceRef = str(item, 'service');
  const serviceName = serviceRef === '' ? undefined : qualify(serviceRef, provider);
  const related = usePollMany([
    ...middlewareNames.map((m) => objectPath(protocol, 'middlewares', m)),
    ...(serviceName !== undefined ? [objectPath(protocol, 'services', serviceName)] : []),
  ]);
  const lookup = (kind: Kind) => (name: string) => {
    const body = related.get(objectPath(protocol, kind, name))?.answer?.body;
    return isJsonObject(body) ? body : undefined;
  };
  const stages = requestPath(item, lookup('middlewares'), lookup('services'));
  const tls = obj(item, 'tls');
  return (
    <>
      <ErrorList errors={strings(item, 'error')} />
      <section aria-labelledby="path-title">
        <h2 id="path-title">Request path</h2>
        <PathDiagram stages={stages} protocol={protocol} />
      </section>
      <section aria-labelledby="facts-title">
        <h2 id="facts-title">Details</h2>
        <Facts
          label="Router details"
          rows={[
            ['Rule', <code class="rule">{str(item, 'rule')}</code>],
            ['Priority', String(num(item, 'priority') ?? 'default (rule length)')],
            ['Entry points', strings(item, 'entryPoints').join(', ') || 'all default entry points'],
            ['Using', strings(item, 'using').join(', ') || '—'],
            ['TLS', tls === undefined ? 'no' : `yes (options ${str(tls, 'options') || 'default'}${str(tls, 'certResolver') !== '' ? `, resolver ${str(tls, 'certResolver')}` : ''})`],
            ['Provider', provider],
          ]}
        />
      </section>
    </>
  );
}

function ServiceDetail({ protocol, item }: { protocol: Protocol; item: JsonObject }) {
  const servers = serversOf(item);
  const children = childServices(item);
  const name = str(item, 'name');
  return (
    <>
      <ErrorList errors={strings(item, 'error')} />
      <Facts
        label="Service details"
        rows={[
          ['Type', str(item, 'type') || (name.endsWith('@internal') ? 'internal' : '—')],
          ['Provider', str(item, 'provider')],
        ]}
      />
      {servers.length > 0 && (
        <section aria-labelledby="servers-title">
          <h2 id="servers-title">Servers</h2>
          <table class="list">
            <thead>
              <tr>
                <th scope="col">Health</th>
                <th scope="col">URL</th>
              </tr>
            </thead>
            <tbody>
              {servers.map((s) => (
                <tr key={s.url} data-server={s.url}>
                  <td>
                    <StatusBadge status={s.status} />
                  </td>
                  <td>
                    <code>{s.url}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {children.length > 0 && (
        <section aria-labelledby="children-title">
          <h2 id="children-title">Child services</h2>
          <ul class="plain">
            {children.map((c) => (
              <li key={c.name + c.role}>
                <a href={detailHref(protocol, 'services', c.name)}>{c.name}</a> <span class="muted">({c.role})</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <UsedBy protocol={protocol} item={item} />
      {protocol === 'http' && strings(item, 'usedBy').length > 0 && (
        <p>
          <a href={listHref(protocol, 'routers', { serviceName: name })}>List the routers using {name}</a>
        </p>
      )}
    </>
  );
}

function MiddlewareDetail({ protocol, item }: { protocol: Protocol; item: JsonObject }) {
  const type = str(item, 'type');
  const configKey = Object.keys(item).find((k) => k.toLowerCase() === type);
  const name = str(item, 'name');
  return (
    <>
      <ErrorList errors={strings(item, 'error')} />
      <Facts
        label="Middleware details"
        rows={[
          ['Type', configKey ?? type],
          ['Provider', str(item, 'provider')],
        ]}
      />
      {configKey !== undefined && (
        <section aria-labelledby="config-title">
          <h2 id="config-title">Configuration</h2>
          <pre class="config" tabIndex={0}>
            {JSON.stringify(item[configKey], null, 2)}
          </pre>
        </section>
      )}
      <UsedBy protocol={protocol} item={item} />
      {strings(item, 'usedBy').length > 0 && (
        <p>
          <a href={listHref(protocol, 'routers', { middlewareName: name })}>List the routers using {name}</a>
        </p>
      )}
    </>
  );
}

export function DetailPage({ protocol, kind, name }: { protocol: Protocol; kind: Kind; name: string }) {
  const fetched = usePoll(objectPath(protocol, kind, name));
  const body = fetched?.answer?.body;
  const item = isJsonObject(body) ? body : undefined;
  return (
    <>
      <Title protocol={protocol} kind={kind} name={name} status={item !== undefined ? str(item, 'status') : undefined} />
      <FetchState fetched={fetched} what={`${singular(kind).toLowerCase()} ${name}`} />
      {item !== undefined && kind === 'routers' && <RouterDetail protocol={protocol} item={item} />}
      {item !== undefined && kind === 'services' && <ServiceDetail protocol={protocol} item={item} />}
      {item !== undefined && kind === 'middlewares' && <MiddlewareDetail protocol={protocol} item={item} />}
      {item !== undefined && <RawJson value={item} />}
    </>
  );
}
