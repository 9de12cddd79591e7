/** Hash navigation: the current route as state, and a way to go elsewhere. */
import { useEffect, useState } from 'preact/hooks';
import { formatRoute, parseHash, type Route } from './logic/route.js';

/** Goes to `route` (a history entry, so Back works). */
export function navigate(route: Route): void {
  const hash = formatRoute(route);
  if (window.location.hash !== hash) window.location.hash = hash;
}

/** The route of the location hash, updated on every hash change. */
export function useRoute(): Route {
  const [route, setRoute] = useState<Route>(() => parseHash(window.location.hash));
  useEffect(() => {
    const onChange = (): void => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
