import { z } from 'zod';
import { normalizeMobile } from '../validation/mobile.js';
import { charLength, normalizeInput, type Validated, zValidated } from '../validation/result.js';

/** Area code: `010`, `02x` (two digits after the 0) or `0` + three digits starting 3–9; subscriber 7–8 digits. */
const LANDLINE = /^(0(?:10|2\d|[3-9]\d{2}))([1-9]\d{6,7})$/;
const HOTLINE = /^([48]00)(\d{3})(\d{4})$/;
const EXTENSION = /^(.*?)\s*(?:转|分机|ext\.?|x|#)\s*(\d{1,6})$/i;

function landlineOrHotline(digits: string): string | null {
  const hotline = HOTLINE.exec(digits);
  if (hotline) return `${hotline[1]}-${hotline[2]}-${hotline[3]}`;
  const landline = LANDLINE.exec(digits);
  return landline ? `${landline[1]}-${landline[2]}` : null;
}

/**
 * A phone number: a mainland mobile (→ E.164 via `normalizeMobile`), a landline `0` + area code + 7–8
 * digits (→ `0571-88886666`, an extension written `-123`, `转123`, `ext 123`, `x123` or `#123` →
 * `0571-88886666-123`; `+86`/`0086` before an area code without its 0 is accepted) or a 400/800 hotline
 * (→ `400-123-4567`). Full-width characters, spaces and parentheses are ignored.
 */
export function normalizePhone(input: string): Validated<'PHONE_INVALID'> {
  const mobile = normalizeMobile(input);
  if (mobile.ok) return mobile;

  const text = normalizeInput(input).replace(/－/g, '-');
  let main = text;
  let ext: string | null = null;
  const extMatch = EXTENSION.exec(text);
  if (extMatch) {
    main = extMatch[1] ?? '';
    ext = extMatch[2] ?? null;
  }
  let compact = main.replace(/[\s()]/g, '');
  const international = /^(?:\+|00)86-?/.exec(compact);
  if (international) {
    compact = compact.slice(international[0].length);
    if (compact.startsWith('0')) return { ok: false, code: 'PHONE_INVALID' };
    if (!/^[48]00/.test(compact)) compact = `0${compact}`;
  }
  if (!/^\d+(?:-\d+)*$/.test(compact)) return { ok: false, code: 'PHONE_INVALID' };

  const parts = compact.split('-');
  let number = landlineOrHotline(parts.join(''));
  if (number === null && ext === null && parts.length >= 2) {
    const last = parts.at(-1) ?? '';
    if (last.length <= 6) {
      number = landlineOrHotline(parts.slice(0, -1).join(''));
      ext = last;
    }
  }
  if (number === null) return { ok: false, code: 'PHONE_INVALID' };
  return { ok: true, value: ext === null ? number : `${number}-${ext}` };
}

/** Phone → mobile E.164 or formatted landline/hotline; issue message `PHONE_INVALID`. */
export const zPhone = zValidated(normalizePhone, 'PHONE_INVALID');

const HOST_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;
const WEBSITE = /^(?:([a-z][a-z0-9+.-]*):\/\/)?([^/?#]*)([/?#].*)?$/i;
export const WEBSITE_MAX_LENGTH = 2048;

/**
 * A company website: NFKC, trimmed; `https://` is added when no scheme is given; only http and https;
 * the host must be a domain name with at least two labels and a non-numeric top-level label (no IP
 * addresses, no user info), an optional port; the host is lower-cased, the rest kept as typed.
 * `www.example.com` → `https://www.example.com`.
 */
export function normalizeWebsite(input: string): Validated<'URL_INVALID'> {
  const text = normalizeInput(input);
  const match = WEBSITE.exec(text);
  if (!match || /\s/.test(text) || text.length > WEBSITE_MAX_LENGTH)
    return { ok: false, code: 'URL_INVALID' };
  const scheme = (match[1] ?? 'https').toLowerCase();
  const authority = (match[2] ?? '').toLowerCase();
  const rest = match[3] ?? '';
  if (scheme !== 'http' && scheme !== 'https') return { ok: false, code: 'URL_INVALID' };
  const hostPort = /^([^:@]+)(?::(\d{1,5}))?$/.exec(authority);
  if (!hostPort) return { ok: false, code: 'URL_INVALID' };
  const host = (hostPort[1] ?? '').replace(/\.$/, '');
  const port = hostPort[2];
  const labels = host.split('.');
  const valid =
    labels.length >= 2 &&
    labels.every((label) => HOST_LABEL.test(label)) &&
    !/^\d+$/.test(labels.at(-1) ?? '') &&
    (port === undefined || Number(port) <= 65535);
  if (!valid) return { ok: false, code: 'URL_INVALID' };
  return { ok: true, value: `${scheme}://${host}${port === undefined ? '' : `:${port}`}${rest}` };
}

/** Website → `https://…`; issue message `URL_INVALID`. */
export const zWebsite = zValidated(normalizeWebsite, 'URL_INVALID');

export const TAG_MAX_COUNT = 20;
export const TAG_MAX_LENGTH = 20;

/** Tag separators: `,` `;` (full-width ones become these under NFKC), `、` and line breaks. */
const TAG_SEPARATORS = /[,;、\r\n]+/;

function splitTags(input: string | readonly string[]): string[] {
  const pieces = typeof input === 'string' ? [input] : input;
  const seen = new Set<string>();
  const tags: string[] = [];
  for (const piece of pieces) {
    for (const raw of piece.normalize('NFKC').split(TAG_SEPARATORS)) {
      const tag = raw.trim().replace(/\s+/g, ' ');
      const key = tag.toLowerCase();
      if (tag === '' || seen.has(key)) continue;
      seen.add(key);
      tags.push(tag);
    }
  }
  return tags;
}

/**
 * Tags from a cell or a list: split on `,` `，` `;` `；` `、` and line breaks (not on spaces: `大客户 华东`
 * is one tag), NFKC, trimmed, inner whitespace collapsed, empty ones dropped, duplicates removed
 * case-insensitively (the first spelling wins). Always fits the limits: at most 20 tags, each cut to 20
 * characters — use `validateTags` to report rather than cut.
 */
export function normalizeTags(input: string | string[]): string[] {
  const tags = splitTags(input).map((tag) => Array.from(tag).slice(0, TAG_MAX_LENGTH).join('').trim());
  return splitTags(tags).slice(0, TAG_MAX_COUNT);
}

/** Like `normalizeTags`, but more than 20 tags or a tag longer than 20 characters is `TAGS_INVALID`. */
export function validateTags(input: string | readonly string[]): Validated<'TAGS_INVALID', string[]> {
  const tags = splitTags(input);
  if (tags.length > TAG_MAX_COUNT || tags.some((tag) => charLength(tag) > TAG_MAX_LENGTH)) {
    return { ok: false, code: 'TAGS_INVALID' };
  }
  return { ok: true, value: tags };
}

/** Tags as a JSON array of strings (or one comma-separated string) → normalised list; `TAGS_INVALID`. */
export const zTags = z
  .union([z.array(z.string()), z.string()], {
    error: (issue) => (issue.input === undefined ? 'REQUIRED' : 'TAGS_INVALID'),
  })
  .transform((input, ctx) => {
    const result = validateTags(input);
    if (result.ok) return result.value;
    ctx.addIssue({ code: 'custom', message: result.code, input });
    return z.NEVER;
  });
