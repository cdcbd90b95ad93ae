// Dates and timestamps in a declared format (`DD/MM/YYYY`, `MM/DD/YYYY`,
// `YYYY-MM-DD HH:mm:ss`…), checked against the calendar, never guessed.

export interface DateParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  fraction: string;
  zone: string | null;
}

const TOKENS: Record<string, string> = {
  YYYY: '(?<year>\\d{4})',
  MM: '(?<month>\\d{2})',
  M: '(?<month>\\d{1,2})',
  DD: '(?<day>\\d{2})',
  D: '(?<day>\\d{1,2})',
  HH: '(?<hour>\\d{2})',
  H: '(?<hour>\\d{1,2})',
  mm: '(?<minute>\\d{2})',
  ss: '(?<second>\\d{2})',
  SSS: '(?<fraction>\\d{1,9})',
  Z: '(?<zone>Z|[-+]\\d{2}:?\\d{2})',
};
const TOKEN = /YYYY|SSS|MM|DD|HH|mm|ss|M|D|H|Z/g;

export const DEFAULT_DATE_FORMAT = 'YYYY-MM-DD';
// ISO 8601 as spreadsheets and databases write it: T or space, optional seconds, fraction and zone.
const ISO_TIMESTAMP =
  /^(?<year>\d{4})-(?<month>\d{2})-(?<day>\d{2})[T ](?<hour>\d{2}):(?<minute>\d{2})(:(?<second>\d{2})(\.(?<fraction>\d{1,9}))?)?(?<zone>Z|[-+]\d{2}:?\d{2})?$/;

/** Compiles a format such as `DD/MM/YYYY HH:mm` into a matcher; throws on a format without a date. */
export function compileDateFormat(format: string): RegExp {
  const used = new Set<string>();
  let pattern = '';
  let last = 0;
  for (const match of format.matchAll(TOKEN)) {
    pattern += escapeRegExp(format.slice(last, match.index));
    const name = TOKENS[match[0]].match(/<(\w+)>/)?.[1] ?? '';
    if (used.has(name)) throw new Error(`format "${format}" names ${name} twice`);
    used.add(name);
    pattern += TOKENS[match[0]];
    last = (match.index ?? 0) + match[0].length;
  }
  pattern += escapeRegExp(format.slice(last));
  if (!used.has('year') || !used.has('month') || !used.has('day'))
    throw new Error(`format "${format}" must contain YYYY, MM (or M) and DD (or D)`);
  return new RegExp(`^${pattern}$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Reads `text` with `matcher`; null when it does not match or names an impossible date or time. */
export function readDateParts(text: string, matcher: RegExp = ISO_TIMESTAMP): DateParts | null {
  const groups = matcher.exec(text)?.groups;
  if (!groups) return null;
  const parts: DateParts = {
    year: Number(groups.year),
    month: Number(groups.month),
    day: Number(groups.day),
    hour: Number(groups.hour ?? 0),
    minute: Number(groups.minute ?? 0),
    second: Number(groups.second ?? 0),
    fraction: groups.fraction ?? '',
    zone: groups.zone ?? null,
  };
  const daysInMonth = new Date(Date.UTC(parts.year, parts.month, 0)).getUTCDate();
  const valid =
    parts.month >= 1 &&
    parts.month <= 12 &&
    parts.day >= 1 &&
    parts.day <= daysInMonth &&
    parts.hour <= 23 &&
    parts.minute <= 59 &&
    parts.second <= 59;
  return valid ? parts : null;
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

export function formatDate(parts: DateParts): string {
  return `${pad(parts.year, 4)}-${pad(parts.month)}-${pad(parts.day)}`;
}

/** ISO 8601: with a zone, converted to UTC (`…Z`); without one, a local date-time as written. */
export function formatTimestamp(parts: DateParts): string {
  const fraction = parts.fraction ? `.${parts.fraction}` : '';
  const local = `${formatDate(parts)}T${pad(parts.hour)}:${pad(parts.minute)}:${pad(parts.second)}${fraction}`;
  if (parts.zone === null) return local;
  if (parts.zone === 'Z') return `${local}Z`;
  const sign = parts.zone.startsWith('-') ? -1 : 1;
  const digits = parts.zone.replace(/[-+:]/g, '');
  const offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
  const utc = new Date(
    Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute - offsetMinutes, parts.second),
  );
  return `${utc.toISOString().slice(0, 19)}${fraction}Z`;
}
