import { charLength, normalizeInput, type Validated, zValidated } from '../validation/result.js';

export const COMPANY_NAME_MIN_LENGTH = 2;
export const COMPANY_NAME_MAX_LENGTH = 100;

/**
 * A company name as entered: NFKC (full-width → half-width), trimmed, inner whitespace collapsed to one
 * space; 2–100 characters with at least one letter or digit and no control characters.
 */
export function validateCompanyName(
  input: string,
): Validated<'COMPANY_NAME_INVALID' | 'REQUIRED' | 'TOO_LONG'> {
  const value = normalizeInput(input).replace(/\s+/g, ' ');
  if (value === '') return { ok: false, code: 'REQUIRED' };
  const length = charLength(value);
  if (length > COMPANY_NAME_MAX_LENGTH) return { ok: false, code: 'TOO_LONG' };
  if (length < COMPANY_NAME_MIN_LENGTH || /\p{Cc}/u.test(value) || !/[\p{L}\p{N}]/u.test(value)) {
    return { ok: false, code: 'COMPANY_NAME_INVALID' };
  }
  return { ok: true, value };
}

/** Company name → NFKC, trimmed, whitespace collapsed; issue message `REQUIRED`, `TOO_LONG` or `COMPANY_NAME_INVALID`. */
export const zCompanyName = zValidated(validateCompanyName, 'COMPANY_NAME_INVALID');

/**
 * Chinese legal-form suffixes, longest first. `集团有限公司` keeps `集团` because only `有限公司` is
 * stripped from it (集团 is part of the name: 星海集团 ≠ 星海).
 */
const CHINESE_SUFFIXES = ['股份有限公司', '有限责任公司', '股份公司', '有限公司', '公司'] as const;

/** English legal forms as word sequences (punctuation already removed), longest first. */
const ENGLISH_SUFFIXES: readonly (readonly string[])[] = [
  ['company', 'limited'],
  ['co', 'ltd'],
  ['incorporated'],
  ['corporation'],
  ['limited'],
  ['company'],
  ['gmbh'],
  ['corp'],
  ['ltd'],
  ['inc'],
  ['llc'],
  ['co'],
];

const OPENING = /[(（【[{〔「『〈《]/g;
const CLOSING = /[)）】\]}〕」』〉》]/g;
/** Punctuation and symbols other than the unified round brackets act as word separators. */
const SEPARATORS = /[^\p{L}\p{N}\p{M}()]+/gu;

/**
 * The duplicate key of a company name (stored as `customers.name_norm`, unique per tenant): NFKC
 * (full-width → half-width), lower-case, all brackets unified to `()`, whitespace, punctuation and symbols
 * removed, then ONE trailing legal-form suffix (the longest that matches) stripped — English ones (`Co., Ltd.`, `Company Limited`,
 * `Inc`, `Corp`, `LLC`, `GmbH`, …) as whole words, Chinese ones (`股份有限公司`, `有限责任公司`, `有限公司`,
 * `股份公司`, `公司`) at the end. The key is never empty: when stripping would leave nothing, the unstripped
 * form is kept.
 *
 * Decisions: bracket content stays (`华为技术(上海)有限公司` ≠ `华为技术有限公司`), and a legal form inside
 * brackets is not a suffix (`星海科技（有限公司）` keeps its brackets, so it is not the same key as
 * `星海科技有限公司`; the trigram similarity warning catches such near-misses). Empty bracket pairs are
 * dropped.
 */
export function normalizeCompanyName(name: string): string {
  const words = name
    .normalize('NFKC')
    .toLowerCase()
    .replace(OPENING, '(')
    .replace(CLOSING, ')')
    .split(SEPARATORS)
    .filter((word) => word !== '');
  const full = words.join('').replace(/\(\)/g, '');
  if (full === '') return name.normalize('NFKC').trim().toLowerCase();

  for (const suffix of ENGLISH_SUFFIXES) {
    if (
      words.length >= suffix.length &&
      suffix.every((w, i) => words[words.length - suffix.length + i] === w)
    ) {
      const stripped = words
        .slice(0, words.length - suffix.length)
        .join('')
        .replace(/\(\)/g, '');
      return stripped === '' ? full : stripped;
    }
  }
  for (const suffix of CHINESE_SUFFIXES) {
    if (full.endsWith(suffix)) return full.length > suffix.length ? full.slice(0, -suffix.length) : full;
  }
  return full;
}
