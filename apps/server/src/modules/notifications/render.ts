/**
 * Notification texts. A notification stores its `kind` and data; its title and body are rendered in
 * the reader's language when read (the API) or delivered (channels). Capabilities register the
 * renderers of their kinds (the approvals capability: `approval.*`).
 */
import type { Locale } from '@kam/domain';

export interface NotificationText {
  title: string;
  body: string | null;
}

export type NotificationRenderer = (
  data: Readonly<Record<string, unknown>>,
  locale: Locale,
  actorName: string | null,
) => NotificationText;

const renderers = new Map<string, NotificationRenderer>();

/** Registers the renderer of a kind (the same function again is a no-op). */
export function registerNotificationKind(kind: string, render: NotificationRenderer): void {
  const existing = renderers.get(kind);
  if (existing && existing !== render) throw new Error(`notification kind "${kind}" already registered`);
  renderers.set(kind, render);
}

export function renderNotification(
  kind: string,
  data: unknown,
  locale: Locale,
  actorName: string | null,
): NotificationText {
  const record =
    data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
  const render = renderers.get(kind);
  if (render) return render(record, locale, actorName);
  return { title: kind, body: null };
}

/** Fills `{name}` placeholders; missing values become empty. */
export function fill(template: string, params: Readonly<Record<string, string | null | undefined>>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? '');
}
