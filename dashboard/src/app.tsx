/**
 * The dashboard's frame: a skip link, the header (main navigation, live indicator, theme toggle)
 * and the page of the current hash route. When the page changes, focus moves to its heading so
 * keyboard and screen-reader users start there.
 */
import { useEffect, useRef } from 'preact/hooks';
import { useLiveState } from './live.js';
import { formatRoute, type Route } from './logic/route.js';
import { useRoute } from './navigate.js';
import { DetailPage } from './pages/detail.js';
import { ExplainPage } from './pages/explain.js';
import { HistoryPage } from './pages/history.js';
import { ListPage } from './pages/list.js';
import { Overview } from './pages/overview.js';
import { useTheme } from './theme.js';

interface NavItem {
  readonly label: string;
  readonly href: string;
  readonly active: (r: Route) => boolean;
}

const NAV: readonly NavItem[] = [
  { label: 'Overview', href: '#/', active: (r) => r.page === 'overview' },
  { label: 'HTTP', href: '#/http/routers', active: (r) => (r.page === 'list' || r.page === 'detail') && r.protocol === 'http' },
  { label: 'TCP', href: '#/tcp/routers', active: (r) => (r.page === 'list' || r.page === 'detail') && r.protocol === 'tcp' },
  { label: 'UDP', href: '#/udp/routers', active: (r) => (r.page === 'list' || r.page === 'detail') && r.protocol === 'udp' },
  { label: 'Explain', href: '#/explain', active: (r) => r.page === 'explain' },
  { label: 'History', href: '#/history', active: (r) => r.page === 'history' },
];

/** What identifies a page (its filters excluded: typing in a search box must keep the focus). */
function pageKey(r: Route): string {
  switch (r.page) {
    case 'list':
      return `list:${r.protocol}:${r.kind}`;
    case 'detail':
      return `detail:${r.protocol}:${r.kind}:${r.name}`;
    case 'overview':
    case 'explain':
    case 'history':
    case 'notFound':
      return r.page;
  }
}

function LiveIndicator() {
  const live = useLiveState();
  const at = live.at?.toLocaleTimeString();
  return (
    <p class={`live ${live.ok ? 'ok' : 'bad'}`} title={live.error}>
      <span class="dot" aria-hidden="true" />
      {live.ok ? (at !== undefined ? `Live · ${at}` : 'Live') : 'API unreachable'}
    </p>
  );
}

function ThemeToggle() {
  const [theme, setTheme] = useTheme();
  const dark = theme === 'dark';
  return (
    <button type="button" class="theme-toggle" aria-label="Dark theme" aria-pressed={dark} onClick={() => setTheme(dark ? 'light' : 'dark')}>
      <span aria-hidden="true">{dark ? '☾' : '☀'}</span> Dark theme
    </button>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'overview':
      return <Overview />;
    case 'list':
      return <ListPage protocol={route.protocol} kind={route.kind} query={route.query} />;
    case 'detail':
      return <DetailPage key={`${route.protocol}/${route.kind}/${route.name}`} protocol={route.protocol} kind={route.kind} name={route.name} />;
    case 'explain':
      return <ExplainPage params={route.params} />;
    case 'history':
      return <HistoryPage />;
    case 'notFound':
      return (
        <>
          <h1 id="page-title" tabIndex={-1}>
            Page not found
          </h1>
          <p>
            Nothing here for <code>{formatRoute(route)}</code>. <a href="#/">Go to the overview</a>.
          </p>
        </>
      );
  }
}

export function App() {
  const route = useRoute();
  const key = pageKey(route);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById('page-title')?.focus();
  }, [key]);

  useEffect(() => {
    const title = NAV.find((n) => n.active(route))?.label ?? 'Dashboard';
    document.title = `${title} · Turnpike`;
  }, [key]);

  const skip = (e: Event): void => {
    e.preventDefault();
    document.getElementById('main')?.focus();
  };

  return (
    <>
      <a class="skip-link" href="#main" onClick={skip}>
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="#/">
          <svg aria-hidden="true" viewBox="0 0 24 24" width="22" height="22">
            <path d="M3 20 L10 4 h4 l7 16 h-4 l-1.6-4 h-6.8 L7 20 z M10 12.5 h4 L12 7.5 z" fill="currentColor" />
          </svg>
          Turnpike
        </a>
        <nav class="main-nav" aria-label="Main">
          <ul>
            {NAV.map((n) => (
              <li key={n.label}>
                <a href={n.href} aria-current={n.active(route) ? 'page' : undefined}>
                  {n.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="top-tools">
          <LiveIndicator />
          <ThemeToggle />
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Page route={route} />
      </main>
    </>
  );
}
