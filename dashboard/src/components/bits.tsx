/** Small shared pieces: status badges, error lists, raw JSON, loading and error states. */
import type { ComponentChildren } from 'preact';
import type { Fetched } from '../live.js';

const STATUS_TEXT: Readonly<Record<string, string>> = {
  enabled: 'Enabled',
  warning: 'Warning',
  disabled: 'Disabled',
  UP: 'UP',
  DOWN: 'DOWN',
  missing: 'Missing',
  unknown: 'Unknown',
};

/** A status as text plus colour (never colour alone). */
export function StatusBadge({ status }: { status: string }) {
  const known = Object.hasOwn(STATUS_TEXT, status);
  const cls = status === 'enabled' || status === 'UP' ? 'ok' : status === 'warning' ? 'warn' : status === 'disabled' || status === 'DOWN' || status === 'missing' ? 'bad' : 'neutral';
  return <span class={`badge badge-${cls}`}>{known ? STATUS_TEXT[status] : status === '' ? 'Unknown' : status}</span>;
}

export function ErrorList({ errors, title = 'Errors' }: { errors: readonly string[]; title?: string }) {
  if (errors.length === 0) return null;
  return (
    <section class="errors" aria-label={title}>
      <h2>{title}</h2>
      <ul>
        {errors.map((e, i) => (
          <li key={i}>
            <code>{e}</code>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The object as the API serves it, folded away. */
export function RawJson({ value, label = 'Raw JSON' }: { value: unknown; label?: string }) {
  return (
    <details class="raw">
      <summary>{label}</summary>
      <pre tabIndex={0}>{JSON.stringify(value, null, 2)}</pre>
    </details>
  );
}

/** What a fetch shows while loading or when it failed; undefined when there is data. */
export function FetchState({ fetched, what }: { fetched: Fetched | undefined; what: string }): ComponentChildren {
  if (fetched === undefined || (fetched.answer === undefined && fetched.error === undefined)) {
    return (
      <p class="muted" role="status">
        Loading {what}…
      </p>
    );
  }
  if (fetched.error !== undefined) {
    return (
      <p class="alert" role="alert">
        Could not load {what}: {fetched.error.message}
      </p>
    );
  }
  return undefined;
}

/** A key/value table of an object's main fields. */
export function Facts({ rows, label }: { rows: readonly [string, ComponentChildren][]; label: string }) {
  return (
    <dl class="facts" aria-label={label}>
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
