/**
 * The request path of one router drawn as an ordered list of stages: entry points -> router ->
 * middlewares -> service -> (child services) -> servers with UP/DOWN. Each object links to its page.
 */
import { detailHref, type Protocol } from '../logic/route.js';
import type { Stage } from '../logic/request-path.js';
import { StatusBadge } from './bits.js';

function StageBody({ stage, protocol }: { stage: Stage; protocol: Protocol }) {
  switch (stage.kind) {
    case 'entryPoints':
      return (
        <>
          <span class="stage-kind">Entry points</span>
          <ul class="plain">
            {stage.names.length === 0 ? <li>none</li> : stage.names.map((n) => <li key={n}>{n}</li>)}
          </ul>
        </>
      );
    case 'router':
      return (
        <>
          <span class="stage-kind">Router</span>
          <a href={detailHref(protocol, 'routers', stage.name)}>{stage.name}</a> <StatusBadge status={stage.status} />
          {stage.rule !== '' && <code class="rule">{stage.rule}</code>}
        </>
      );
    case 'middleware':
      return (
        <>
          <span class="stage-kind">Middleware{stage.type !== '' ? ` (${stage.type})` : ''}</span>
          <a href={detailHref(protocol, 'middlewares', stage.name)}>{stage.name}</a> <StatusBadge status={stage.status} />
        </>
      );
    case 'service':
      return (
        <>
          <span class="stage-kind">Service{stage.type !== '' ? ` (${stage.type})` : ''}</span>
          <a href={detailHref(protocol, 'services', stage.name)}>{stage.name}</a> <StatusBadge status={stage.status} />
        </>
      );
    case 'children':
      return (
        <>
          <span class="stage-kind">Child services</span>
          <ul class="plain">
            {stage.services.map((s) => (
              <li key={s.name + s.role}>
                <a href={detailHref(protocol, 'services', s.name)}>{s.name}</a> <span class="muted">({s.role})</span>
              </li>
            ))}
          </ul>
        </>
      );
    case 'servers':
      return (
        <>
          <span class="stage-kind">Servers</span>
          <ul class="plain servers">
            {stage.servers.map((s) => (
              <li key={s.url}>
                <StatusBadge status={s.status} /> <code>{s.url}</code>
              </li>
            ))}
          </ul>
        </>
      );
  }
}

export function PathDiagram({ stages, protocol }: { stages: readonly Stage[]; protocol: Protocol }) {
  return (
    <ol class="path" aria-label="Request path">
      {stages.map((s, i) => (
        <li key={i} class={`stage stage-${s.kind}`}>
          <StageBody stage={s} protocol={protocol} />
        </li>
      ))}
    </ol>
  );
}
