import { pinyin } from 'pinyin-pro';

/**
 * The sort and search key of a Chinese (or mixed) name: full toneless pinyin, then the initials —
 * `赵明` → `zhaoming zm`, `重庆长安` → `chongqingchangan cqca`, `Alice 王` → `alicewang aw`.
 * PostgreSQL has no Chinese collation here; sorting by this key gives the 拼音 order Chinese users
 * expect, with Latin names interleaved alphabetically, and lets a search for `zm` or `zhaom` find 赵明.
 */
export function pinyinKey(name: string): string {
  const opts = { toneType: 'none', type: 'array', nonZh: 'consecutive', v: true } as const;
  const squash = (parts: string[]) => parts.join('').replace(/\s+/g, '').toLowerCase();
  const full = squash(pinyin(name, opts));
  const initials = squash(
    pinyin(name, { ...opts, pattern: 'first' }).map((p) =>
      /^[a-z]$/i.test(p.trim()) ? p : p.trim().slice(0, 1),
    ),
  );
  return `${full} ${initials}`;
}
