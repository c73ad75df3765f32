/**
 * What the reducer's `notify_*` commands become: in-app notifications (kinds `approval.*`), rendered
 * in the reader's language from the data stored with them.
 */
import type { ApprovalCommand, Locale, LocalizedText } from '@kam/domain';
import type { Tx } from '../../db/database.js';
import { fill, type NotificationRenderer, registerNotificationKind } from '../notifications/render.js';
import { type NotificationInput, notify } from '../notifications/service.js';

interface Template {
  title: LocalizedText;
  body: LocalizedText | null;
}

const TEMPLATES: Record<string, Template> = {
  'approval.step_started': {
    title: { zh: '待审批：{summary}', en: 'To approve: {summary}' },
    body: { zh: '{requester}提交的{type}，当前步骤：{step}', en: '{type} from {requester}; step: {step}' },
  },
  'approval.reminder': {
    title: { zh: '审批提醒：{summary}', en: 'Reminder: {summary}' },
    body: { zh: '步骤“{step}”已超过处理时限，请尽快处理', en: 'Step "{step}" is past its time limit.' },
  },
  'approval.escalated': {
    title: { zh: '审批已升级给您：{summary}', en: 'Escalated to you: {summary}' },
    body: {
      zh: '步骤“{step}”超时未处理，您可以代为审批',
      en: 'Step "{step}" passed its time limit; you may decide for it.',
    },
  },
  'approval.withdrawn': {
    title: { zh: '申请已撤回：{summary}', en: 'Withdrawn: {summary}' },
    body: { zh: '{actor}撤回了申请', en: '{actor} withdrew the request.' },
  },
  'approval.comment': {
    title: { zh: '审批新评论：{summary}', en: 'New comment: {summary}' },
    body: { zh: '{actor}：{text}', en: '{actor}: {text}' },
  },
  'approval.request_approved': {
    title: { zh: '申请已通过：{summary}', en: 'Approved: {summary}' },
    body: null,
  },
  'approval.request_rejected': {
    title: { zh: '申请被驳回：{summary}', en: 'Rejected: {summary}' },
    body: { zh: '{actor}驳回（步骤“{step}”）：{text}', en: '{actor} rejected it (step "{step}"): {text}' },
  },
  'approval.request_returned': {
    title: { zh: '申请被退回修改：{summary}', en: 'Returned for changes: {summary}' },
    body: { zh: '{actor}退回（步骤“{step}”）：{text}', en: '{actor} returned it (step "{step}"): {text}' },
  },
  'approval.request_comment': {
    title: { zh: '您的申请有新评论：{summary}', en: 'New comment on your request: {summary}' },
    body: { zh: '{actor}：{text}', en: '{actor}: {text}' },
  },
};

const pick = (text: unknown, locale: Locale): string | null => {
  if (typeof text === 'string') return text;
  if (text && typeof text === 'object') {
    const t = text as Partial<LocalizedText>;
    return (locale === 'zh-CN' ? t.zh : t.en) ?? null;
  }
  return null;
};

function makeRenderer(template: Template): NotificationRenderer {
  return (data, locale, actorName) => {
    const params = {
      summary: pick(data.summary, locale),
      type: pick(data.typeLabel, locale),
      step: pick(data.stepName, locale),
      requester: pick(data.requesterName, locale),
      text: pick(data.text, locale),
      actor: actorName ?? (locale === 'zh-CN' ? '系统' : 'System'),
    };
    return {
      title: fill(locale === 'zh-CN' ? template.title.zh : template.title.en, params),
      body: template.body ? fill(locale === 'zh-CN' ? template.body.zh : template.body.en, params) : null,
    };
  };
}

const RENDERERS = new Map(Object.entries(TEMPLATES).map(([kind, t]) => [kind, makeRenderer(t)] as const));

/** Registers the renderers of the `approval.*` kinds (idempotent). */
export function registerApprovalNotificationKinds(): void {
  for (const [kind, render] of RENDERERS) registerNotificationKind(kind, render);
}

export interface NotifySubject {
  requestId: string;
  requesterId: string;
  requesterName: string;
  typeLabel: LocalizedText;
  summary: LocalizedText;
  stepNames: ReadonlyMap<string, string>;
}

/** Turns the reducer's notify commands into notifications (never to the acting user themselves). */
export async function notifyCommands(
  tx: Tx,
  commands: readonly ApprovalCommand[],
  subject: NotifySubject,
  actor: { id: string; name: string } | null,
  text: string | null,
  now: Date,
): Promise<void> {
  const items: NotificationInput[] = [];
  const base = (stepId: string | undefined) => ({
    entityType: 'approval_request',
    entityId: subject.requestId,
    actorId: actor?.id ?? null,
    actorName: actor?.name ?? null,
    data: {
      typeLabel: subject.typeLabel,
      summary: subject.summary,
      requesterName: subject.requesterName,
      stepName: stepId === undefined ? null : (subject.stepNames.get(stepId) ?? stepId),
      text,
    },
  });
  for (const cmd of commands) {
    if (cmd.type === 'notify_approvers') {
      for (const userId of cmd.userIds) {
        if (userId === actor?.id) continue;
        items.push({ userId, kind: `approval.${cmd.reason}`, ...base(cmd.stepId) });
      }
    } else if (cmd.type === 'notify_requester') {
      if (cmd.userId === actor?.id) continue;
      items.push({ userId: cmd.userId, kind: `approval.request_${cmd.reason}`, ...base(cmd.stepId) });
    }
  }
  await notify(tx, items, now);
}
