/**
 * A list of routers, services or middlewares of one protocol, filtered, sorted and paged by the
 * API itself (search, status, serviceName, middlewareName, sortBy, direction, page, per_page). The
 * filters live in the hash, so a filtered list can be bookmarked and Back works.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { FetchState, StatusBadge } from '../components/bits.js';
import { usePoll } from '../live.js';
import { ariaSort, columnsOf, hasNextPage, listApiPath, toggleSort, withFilter, type Column } from '../logic/filters.js';
import { isJsonObject, num, qualify, str, strings, type JsonObject } from '../logic/request-path.js';
import { detailHref, formatRoute, kindsOf, listHref, protocolLabel, type Kind, type ListQuery, type Protocol, type StatusFilter } from '../logic/route.js';
import { navigate } from '../navigate.js';

const SEARCH_DEBOUNCE_MS = 250;

function Cell({ item, column, protocol }: { item: JsonObject; column: Column; protocol: Protocol }) {
  const provider = str(item, 'provider');
  switch (column.key) {
    case 'status':
      return <StatusBadge status={str(item, 'status')} />;
    case 'name':
      return null;
    case 'rule':
      return <code class="rule">{str(item, 'rule')}</code>;
    case 'entryPoints':
      return <>{strings(item, 'using').join(', ') || strings(item, 'entryPoints').join(', ')}</>;
    case 'service': {
      const s = str(item, 'service');
      return s === '' ? null : <a href={detailHref(protocol, 'services', qualify(s, provider))}>{s}</a>;
    }
    case 'priority':
      return <>{num(item, 'priority') ?? ''}</>;
    case 'servers': {
      const lb = item['loadBalancer'];
      const servers = isJsonObject(lb) && Array.isArray(lb['servers']) ? lb['servers'].length : undefined;
      return <>{servers ?? '—'}</>;
    }
    default:
      return <>{str(item, column.key)}</>;
  }
}

export function ListPage({ protocol, kind, query }: { protocol: Protocol; kind: Kind; query: ListQuery }) {
  const path = listApiPath(protocol, kind, query);
  const fetched = usePoll(path);
  const items = Array.isArray(fetched?.answer?.body) ? (fetched.answer.body as unknown[]).filter(isJsonObject) : [];
  const more = hasNextPage(fetched?.answer?.nextPage ?? null, query.page);
  const [search, setSearch] = useState(query.search);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const title = `${protocolLabel(protocol)} ${kind}`;

  // The hash changed from elsewhere (Back, a link): show its search text.
  useEffect(() => setSearch(query.search), [query.search]);
  useEffect(() => () => clearTimeout(timer.current), []);

  const go = (q: ListQuery): void => navigate({ page: 'list', protocol, kind, query: q });
  /** The filters as shown now: a search still being typed counts (its pending update is dropped). */
  const shown = (): ListQuery => {
    clearTimeout(timer.current);
    return { ...query, search };
  };
  const onSearch = (value: string): void => {
    setSearch(value);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => go(withFilter(query, { search: value })), SEARCH_DEBOUNCE_MS);
  };
  const columns = columnsOf(kind);

  return (
    <>
      <h1 id="page-title" tabIndex={-1}>
        {title}
      </h1>
      <nav class="tabs" aria-label={`${protocolLabel(protocol)} object kinds`}>
        <ul>
          {kindsOf(protocol).map((k) => (
            <li key={k}>
              <a href={listHref(protocol, k)} aria-current={k === kind ? 'page' : undefined}>
                {k[0]?.toUpperCase() + k.slice(1)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <form
        class="filters"
        role="search"
        aria-label={`Filter ${title}`}
        onSubmit={(e) => {
          e.preventDefault();
          go(withFilter(shown(), { search }));
        }}
      >
        <label>
          Search
          <input type="search" name="search" value={search} placeholder={kind === 'routers' ? 'name or rule' : 'name'} onInput={(e) => onSearch(e.currentTarget.value)} />
        </label>
        <label>
          Status
          <select name="status" value={query.status} onChange={(e) => go(withFilter(shown(), { status: e.currentTarget.value as StatusFilter }))}>
            <option value="">All</option>
            <option value="enabled">Enabled</option>
            <option value="warning">Warning</option>
            <option value="disabled">Disabled (errors)</option>
          </select>
        </label>
        {query.serviceName !== '' && (
          <button type="button" class="chip-button" onClick={() => go(withFilter(shown(), { serviceName: '' }))}>
            Service {query.serviceName} <span aria-hidden="true">×</span>
            <span class="visually-hidden">(remove this filter)</span>
          </button>
        )}
        {query.middlewareName !== '' && (
          <button type="button" class="chip-button" onClick={() => go(withFilter(shown(), { middlewareName: '' }))}>
            Middleware {query.middlewareName} <span aria-hidden="true">×</span>
            <span class="visually-hidden">(remove this filter)</span>
          </button>
        )}
      </form>
      <FetchState fetched={fetched} what={title} />
      {fetched?.answer !== undefined && (
        <div class="table-wrap">
          <table class="list" data-list={`${protocol}-${kind}`}>
            <caption class="visually-hidden">
              {title}, page {query.page}
            </caption>
            <thead>
              <tr>
                {columns.map((c) => (
                  <th key={c.key} scope="col" aria-sort={c.sortBy !== undefined ? ariaSort(query, c.sortBy) : undefined}>
                    {c.sortBy !== undefined ? (
                      <button type="button" class="sort" onClick={() => go(toggleSort(shown(), c.sortBy as string))}>
                        {c.label}
                      </button>
                    ) : (
                      c.label
                    )}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {items.length === 0 && (
                <tr>
                  <td colSpan={columns.length} class="muted">
                    No {kind} match.
                  </td>
                </tr>
              )}
              {items.map((item) => (
                <tr key={str(item, 'name')} data-name={str(item, 'name')}>
                  {columns.map((c) =>
                    c.key === 'name' ? (
                      <th key={c.key} scope="row">
                        <a href={detailHref(protocol, kind, str(item, 'name'))}>{str(item, 'name')}</a>
                      </th>
                    ) : (
                      <td key={c.key}>
                        <Cell item={item} column={c} protocol={protocol} />
                      </td>
                    ),
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {(query.page > 1 || more) && (
        <nav class="pager" aria-label="Pages">
          {query.page > 1 ? <a href={formatRoute({ page: 'list', protocol, kind, query: withFilter(query, { page: query.page - 1 }) })}>Previous page</a> : <span />}
          <span>Page {query.page}</span>
          {more ? <a href={formatRoute({ page: 'list', protocol, kind, query: withFilter(query, { page: query.page + 1 }) })}>Next page</a> : <span />}
        </nav>
      )}
    </>
  );
}
