/**
 * Light and dark: the system's choice (prefers-color-scheme) unless the user pressed the toggle,
 * whose choice is kept in localStorage. The choice is the `data-theme` attribute of <html>, which
 * the style sheet reads.
 */
import { useEffect, useState } from 'preact/hooks';

export type Theme = 'light' | 'dark';

const KEY = 'turnpike-dashboard-theme';
const media = (): MediaQueryList => window.matchMedia('(prefers-color-scheme: dark)');

function stored(): Theme | undefined {
  try {
    const v = window.localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The theme in effect now. */
export function currentTheme(): Theme {
  return stored() ?? (media().matches ? 'dark' : 'light');
}

function apply(theme: Theme | undefined): void {
  const root = document.documentElement;
  if (theme === undefined) delete root.dataset['theme'];
  else root.dataset['theme'] = theme;
}

/** Applies a stored choice before the first render (no flash of the other theme). */
export function initTheme(): void {
  apply(stored());
}

/** The theme in effect and a setter that remembers the user's choice. */
export function useTheme(): [Theme, (t: Theme) => void] {
  const [theme, setTheme] = useState<Theme>(currentTheme);
  useEffect(() => {
    const m = media();
    const onChange = (): void => setTheme(currentTheme());
    m.addEventListener('change', onChange);
    return () => m.removeEventListener('change', onChange);
  }, []);
  const choose = (t: Theme): void => {
    try {
      window.localStorage.setItem(KEY, t);
    } catch {
      // private mode: the choice lasts for this page only
    }
    apply(t);
    setTheme(t);
  };
  return [theme, choose];
}
