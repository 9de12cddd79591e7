/**
 * The configuration history (`/api/history`): the applied configurations (newest first) with
 * what changed — routers, services and middlewares added, removed, changed — and the rejected
 * updates with their errors. Live.
 */
import { FetchState } from '../components/bits.js';
import { usePoll } from '../live.js';
import { diffGroups, entrySummary, OP_SIGN, readHistory, type HistoryEntry } from '../logic/history-diff.js';
import { detailHref } from '../logic/route.js';

function time(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

function Entry({ entry }: { entry: HistoryEntry }) {
  const groups = diffGroups(entry);
  const titleId = `h-${entry.id}`;
  return (
    <article class={`history-entry ${entry.kind}`} aria-labelledby={titleId} data-history-id={entry.id}>
      <h2 id={titleId}>
        <span class={`badge badge-${entry.kind === 'applied' ? 'ok' : 'bad'}`}>{entry.kind === 'applied' ? 'Applied' : 'Rejected'}</span> #{entry.id}{' '}
        <time dateTime={entry.time}>{time(entry.time)}</time>
        {entry.providers.length > 0 && <span class="muted"> · {entry.providers.join(', ')}</span>}
      </h2>
      <p class="summary">
        {entrySummary(entry)}
        {entry.ms !== undefined && <span class="muted"> · compiled in {entry.ms.toFixed(1)} ms</span>}
        {entry.warnings > 0 && <span class="warn-text"> · {entry.warnings} warnings</span>}
      </p>
      {groups.length > 0 && (
        <ul class="diff" aria-label={`Changes in #${entry.id}`}>
          {groups.map((g) =>
            g.names.map((name) => (
              <li key={`${g.section}-${g.op}-${name}`} class={`op-${g.op}`}>
                <span class="sign" aria-hidden="true">
                  {OP_SIGN[g.op]}
                </span>{' '}
                <span class="visually-hidden">{g.op}: </span>
                <span class="muted">{g.section.slice(0, -1)}</span> {g.op === 'removed' ? <code>{name}</code> : <a href={detailHref('http', g.section, name)}>{name}</a>}
              </li>
            )),
          )}
          {groups
            .filter((g) => g.more > 0)
            .map((g) => (
              <li key={`${g.section}-${g.op}-more`} class={`op-${g.op}`}>
                … and {g.more} more {g.section} {g.op}
              </li>
            ))}
        </ul>
      )}
      {entry.errors.length > 0 && (
        <ul class="errors-list" aria-label={`Errors of #${entry.id}`}>
          {entry.errors.map((e, i) => (
            <li key={i}>
              <code>{e}</code>
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}

export function HistoryPage() {
  const fetched = usePoll('history');
  const entries = readHistory(fetched?.answer?.body);
  return (
    <>
      <h1 id="page-title" tabIndex={-1}>
        Configuration history
      </h1>
      <p class="muted">The last applied configurations and rejected updates of this process, newest first.</p>
      <FetchState fetched={fetched} what="the history" />
      {fetched?.answer !== undefined && entries.length === 0 && <p class="muted">No configuration applied yet.</p>}
      <div class="history">
        {entries.map((e) => (
          <Entry key={e.id} entry={e} />
        ))}
      </div>
    </>
  );
}
