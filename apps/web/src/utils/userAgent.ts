const BROWSERS: [RegExp, string][] = [
  [/Edg\//, 'Edge'],
  [/DingTalk/i, 'DingTalk'],
  [/Lark|Feishu/i, 'Feishu'],
  [/MicroMessenger/i, 'WeChat'],
  [/Firefox\//, 'Firefox'],
  [/Chrome\//, 'Chrome'],
  [/Safari\//, 'Safari'],
  [/curl|python|node|okhttp|Go-http/i, 'API client'],
];

const SYSTEMS: [RegExp, string][] = [
  [/Windows/, 'Windows'],
  [/iPhone|iPad|iPod/, 'iOS'],
  [/Android/, 'Android'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/Linux/, 'Linux'],
];

function first(ua: string, table: [RegExp, string][]): string | null {
  return table.find(([pattern]) => pattern.test(ua))?.[1] ?? null;
}

/** A short "Chrome · Windows" style label from a User-Agent string (best effort, no library). */
export function describeUserAgent(ua: string | null | undefined): string {
  if (!ua) return '—';
  const browser = first(ua, BROWSERS);
  const os = first(ua, SYSTEMS);
  if (!browser && !os) return ua.length > 60 ? `${ua.slice(0, 60)}…` : ua;
  return [browser, os].filter(Boolean).join(' · ');
}
