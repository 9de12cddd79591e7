/**
 * HTTP status lists as Traefik writes them (errors `status`, `statusRewrites` keys, retry `status`):
 * a code (`500`), a comma-separated list (`500,502`), an inclusive range (`500-599`) or any mix
 * (`404,418,505-599`). Parsed once at configuration time into ranges checked per response.
 */

/** An inclusive range of status codes; a single code has `from === to`. */
export interface StatusRange {
  readonly from: number;
  readonly to: number;
}

const CODE = /^\d{3}$/;

/**
 * Parses one entry (which may hold several comma-separated items). Returns the ranges, or a
 * message saying what is wrong with the first bad item. Spaces around items are ignored.
 * Stricter than Traefik (which takes any integer, and `599-500` as a range that never matches):
 * codes must be three digits (100-999) and a range must not run backwards.
 */
export function parseStatusRanges(text: string): StatusRange[] | string {
  const out: StatusRange[] = [];
  for (const rawItem of text.split(',')) {
    const item = rawItem.trim();
    if (item === '') return `empty item in "${text}"; expected a status code such as 500 or a range such as 500-599`;
    const dash = item.indexOf('-');
    const low = (dash < 0 ? item : item.slice(0, dash)).trim();
    const high = (dash < 0 ? item : item.slice(dash + 1)).trim();
    if (!CODE.test(low) || !CODE.test(high) || low.charCodeAt(0) === 48 || high.charCodeAt(0) === 48) {
      return `"${item}" is not a status code (100-999) or a range of them such as 500-599`;
    }
    const from = Number(low);
    const to = Number(high);
    if (from > to) return `the range "${item}" runs backwards; write the lower code first`;
    out.push({ from, to });
  }
  return out;
}

/** Whether `status` falls in one of `ranges`. */
export function inStatusRanges(ranges: readonly StatusRange[], status: number): boolean {
  for (const r of ranges) if (status >= r.from && status <= r.to) return true;
  return false;
}
