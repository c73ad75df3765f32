import { pinyin } from 'pinyin-pro';

/**
 * The sort and search key of a Chinese (or mixed) name: full toneless pinyin, then the initials —
 * `赵明` → `zhaoming zm`, `重庆长安` → `chongqingchangan cqca`, `Alice 王` → `alicewang aw`.
 * PostgreSQL has no Chinese collation here; sorting by this key gives the 拼音 order Chinese users
 * expect, with Latin names interleaved alphabetically, and lets a search for `zm` or `zhaom` find 赵明.
 */
export function pinyinKey(name: string): string {
  // one conversion (its word segmentation decides each polyphone), the initials taken from it
  const parts = pinyin(name, { toneType: 'none', type: 'array', nonZh: 'consecutive', v: true });
  const squash = (xs: string[]) => xs.join('').replace(/\s+/g, '').toLowerCase();
  return `${squash(parts)} ${squash(parts.map((p) => p.trim().slice(0, 1)))}`;
}
