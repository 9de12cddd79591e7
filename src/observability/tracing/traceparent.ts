/**
 * W3C Trace Context `traceparent` (https://www.w3.org/TR/trace-context/): read the client's, write
 * ours for the upstream. Hand-written rather than the OpenTelemetry propagator so that a request
 * carries no context objects until it is known to be sampled.
 */
import type { SpanContext } from '@opentelemetry/api';

const HEX = /^[0-9a-f]+$/;
const ZERO_TRACE = '00000000000000000000000000000000';
const ZERO_SPAN = '0000000000000000';

/**
 * The span context a `traceparent` value describes, or undefined when it is malformed (then the
 * request starts a new trace, as the specification says). Versions above 00 are read by the 00
 * layout, ignoring what follows; version ff is invalid.
 */
export function parseTraceparent(value: string): SpanContext | undefined {
  const v = value.trim();
  if (v.length < 55) return undefined;
  if (v.charCodeAt(2) !== 0x2d || v.charCodeAt(35) !== 0x2d || v.charCodeAt(52) !== 0x2d) return undefined;
  const version = v.slice(0, 2);
  if (!HEX.test(version) || version === 'ff') return undefined;
  if (version === '00' ? v.length !== 55 : v.length > 55 && v.charCodeAt(55) !== 0x2d) return undefined;
  const traceId = v.slice(3, 35);
  const spanId = v.slice(36, 52);
  const flags = v.slice(53, 55);
  if (!HEX.test(traceId) || !HEX.test(spanId) || !HEX.test(flags)) return undefined;
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  return { traceId, spanId, traceFlags: parseInt(flags, 16), isRemote: true };
}

/** `00-<trace id>-<span id>-<flags>`. */
export function formatTraceparent(traceId: string, spanId: string, sampled: boolean): string {
  return `00-${traceId}-${spanId}-${sampled ? '01' : '00'}`;
}
