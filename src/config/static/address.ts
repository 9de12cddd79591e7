/**
 * Entry point addresses: `[host]:port[/tcp|/udp]` — `:80`, `0.0.0.0:8080`, `[::1]:443/tcp`, `:53/udp`.
 * The protocol defaults to tcp; an empty host listens on every interface.
 */

export interface ParsedAddress {
  /** '' = all interfaces; IPv6 hosts without brackets. */
  readonly host: string;
  readonly port: number;
  readonly protocol: 'tcp' | 'udp';
}

export const ADDRESS_EXPECTED = 'an address like ":80" or "127.0.0.1:8080/tcp" ([host]:port[/tcp|/udp])';

/** Parses an entry point address; returns what was expected (a string) when it is not one. */
export function parseAddress(text: string): ParsedAddress | string {
  let hostPort = text.trim();
  let protocol: 'tcp' | 'udp' = 'tcp';
  const slash = hostPort.lastIndexOf('/');
  if (slash >= 0) {
    const proto = hostPort.slice(slash + 1).toLowerCase();
    if (proto !== 'tcp' && proto !== 'udp') return `${ADDRESS_EXPECTED}; the protocol must be tcp or udp`;
    protocol = proto;
    hostPort = hostPort.slice(0, slash);
  }
  let host: string;
  let portText: string;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close < 0 || hostPort[close + 1] !== ':') return ADDRESS_EXPECTED;
    host = hostPort.slice(1, close);
    portText = hostPort.slice(close + 2);
  } else {
    const colon = hostPort.lastIndexOf(':');
    if (colon < 0) return `${ADDRESS_EXPECTED}; the port is missing`;
    host = hostPort.slice(0, colon);
    portText = hostPort.slice(colon + 1);
    if (host.includes(':')) return `${ADDRESS_EXPECTED}; write IPv6 hosts in brackets, e.g. "[::1]:80"`;
  }
  if (/\s/.test(host)) return ADDRESS_EXPECTED;
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) return `${ADDRESS_EXPECTED}; the port must be a number from 0 to 65535`;
  return { host, port: Number(portText), protocol };
}
