import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { choose, launch, newPage, SCREENSHOTS_DIR as SHOTS } from './support/browser.js';

/**
 * Approval flows (审批流) in the browser against the built app (embedded database, demo company):
 * the sales director builds a two-step discount flow in the flow builder (the requester's department
 * head, then the director by name when the discount is above 15 %); the account manager asks for a
 * 25 % discount from the customer page; the department head approves it from the inbox; the director
 * rejects it with a reason; the account manager is notified and sees the rejection and its reason.
 * A 5 % request passes the head alone. The inbox and the builder also work on a 390 px phone.
 * `KAM_SCREENSHOTS=1` also writes approvals-*.png (desktop 1366 px and phone 390 px) to
 * docs/screenshots, or to `KAM_SCREENSHOTS_DIR` when set.
 */
const base = inject('kamBaseUrl');
const DEMO_PASSWORD = 'Kam@2026demo';

// Demo company (apps/server/src/modules/organization/demo*.ts): 孙伟 (manager) in 上海销售一部, whose
// head is 钱芳 (head); 赵明 (director) heads 华东大区. 孙伟 owns 上海远帆物流股份有限公司.
const CUSTOMER = '上海远帆物流股份有限公司';
const suffix = Date.now().toString(36).toUpperCase();
// The 25 % request of the rejection journey; a retry of that journey submits a new one under the next
// reference, so later journeys find exactly one request under the reference they look for.
let attempts = 0;
let reference = `Q-${suffix}-A0`;
const SMALL_REFERENCE = `Q-${suffix}-B`;
const RETURN_REFERENCE = `Q-${suffix}-C`;
// Also 孙伟's; the transfer test hands the first of them he still owns to 钱芳 (a retry takes the next).
const TRANSFER_CANDIDATES = ['上海澄明精密机械有限公司', '苏州恒信电子科技有限公司', '上海禾润食品有限公司'];
const REJECT_REASON = `毛利不足，25% 超出本季度授权（${suffix}）`;

let browser: Browser;

beforeAll(async () => {
  browser = await launch();
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});

async function signIn(page: Page, login: string) {
  await page.goto(`${base}/login`);
  await page.getByTestId('login-username').fill(login);
  await page.getByTestId('login-password').fill(DEMO_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('home-greeting').waitFor();
}

async function shot(page: Page, name: string, wholePage = false) {
  if (!SHOTS) return;
  await page.waitForTimeout(400); // let drawers and popovers settle
  const viewport = page.viewportSize();
  if (wholePage && viewport) {
    // A viewport as tall as the page (a full-page capture would leave sticky bars mid-page).
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, height) });
    await page.waitForTimeout(200);
  }
  await page.screenshot({ path: `${SHOTS}/${name}.png` });
  if (wholePage && viewport) await page.setViewportSize(viewport);
}

async function noHorizontalOverflow(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(1);
}

/** Opens the request whose summary mentions `text` from the current inbox box. */
async function openRequest(page: Page, text: string) {
  await page.getByTestId('approvals-table').getByText(text).first().click();
  await page.getByTestId('request-detail').waitFor();
}

async function submitDiscount(page: Page, percent: string, reference: string, reason: string) {
  await page.getByTestId('nav-customers').click();
  await page.getByTestId('customers-table').getByText(CUSTOMER).click();
  await expect.poll(() => page.getByTestId('customer-name').textContent()).toBe(CUSTOMER);
  await page.getByTestId('customer-request-discount').click();
  await page.getByTestId('request-discount').fill(percent);
  await page.getByTestId('request-amount').fill('480000');
  await page.getByTestId('request-reference').fill(reference);
  await page.getByTestId('request-reason').fill(reason);
  await page.locator('#request-submit').click();
  // Submitted: the inbox opens on "submitted by me" with the new request in the drawer.
  await page.waitForURL(/\/approvals\?.*box=submitted/);
  await page.getByTestId('request-detail').waitFor();
}

describe('Approval flows in the browser', () => {
  it('a sales director builds a two-step discount flow in the flow builder', async () => {
    const page = await newPage(browser);
    await signIn(page, 'director');
    await page.getByTestId('nav-approval-flows').click();
    await page.getByTestId('flow-link-discount').click();
    await page.getByTestId('flow-editor').waitFor();

    // Start from an empty flow (remove whatever a previous run or the demo set up).
    while ((await page.getByTestId('flow-step').count()) > 0) {
      await page.getByTestId('step-remove').first().click();
      await page.locator('.ant-popconfirm:visible .ant-btn-primary').click();
    }

    // Step 1: the requester's department head (the default approver of a new step), 或签.
    await page.getByTestId('flow-add-step').click();
    const first = page.getByTestId('flow-step').nth(0);
    await first.getByTestId('step-name').fill('部门主管审批');
    await expect.poll(() => first.getByTestId('approver-kind').textContent()).toContain('申请人的部门主管');

    // Step 2: the director by name, only when the discount is above 15 %.
    await page.getByTestId('flow-add-step').click();
    const second = page.getByTestId('flow-step').nth(1);
    await second.getByTestId('step-name').fill('销售总监审批');
    await choose(page, second.getByTestId('approver-kind'), '', '指定成员');

    // Saving without picking the person names the problem at the approver, in Chinese.
    await page.getByTestId('flow-save').click();
    await second.getByText('此项为必填项').waitFor();
    await choose(page, second.getByTestId('approver-user'), '赵明', /^赵明/);
    await expect.poll(() => second.getByText('此项为必填项').count()).toBe(0);

    await second.getByTestId('step-condition-when').click();
    const rule = second.getByTestId('cond-rule').first();
    await choose(page, rule.getByTestId('cond-field'), '折扣', /折扣/);
    await expect.poll(() => rule.getByTestId('cond-op').textContent()).toContain('大于');
    await rule.getByTestId('cond-value').fill('15');

    await page.getByTestId('flow-save').click();
    await expect.poll(() => page.getByTestId('flow-version').textContent()).toMatch(/^v\d+$/);
    const version = (await page.getByTestId('flow-version').textContent()) ?? '';
    await expect.poll(() => page.getByTestId('flow-dirty').count()).toBe(0);
    // Saving explains that running requests keep their version.
    expect(await page.getByTestId('flow-version-note').textContent()).toContain('进行中的申请仍按原版本审批');

    // After a reload the flow is as saved.
    await page.reload();
    await page.getByTestId('flow-editor').waitFor();
    expect(await page.getByTestId('flow-version').textContent()).toBe(version);
    expect(await page.getByTestId('flow-step').count()).toBe(2);
    expect(await page.getByTestId('step-name').nth(1).inputValue()).toBe('销售总监审批');
    expect(await page.getByTestId('cond-value').first().inputValue()).toBe('15');
    await shot(page, 'approvals-flow-builder', true);

    // Saving again makes the next version; the previous one stays readable, read-only.
    const n = Number(version.slice(1));
    await page.getByTestId('step-name').first().fill('部门主管初审');
    await page.getByTestId('flow-save').click();
    await expect.poll(() => page.getByTestId('flow-version').textContent()).toBe(`v${n + 1}`);
    await page.getByTestId('flow-versions-button').click();
    await page
      .getByTestId('flow-versions')
      .locator('.kam-flow-version', { hasText: `v${n} ·` })
      .getByTestId('flow-version-view')
      .click();
    await page.getByTestId('flow-viewing').waitFor();
    expect(await page.getByTestId('step-name').first().inputValue()).toBe('部门主管审批');
    expect(await page.getByTestId('step-name').first().isDisabled()).toBe(true);
    expect(await page.getByTestId('flow-save').count()).toBe(0);
    await page.getByRole('button', { name: '返回当前版本' }).click();
    await expect.poll(() => page.getByTestId('step-name').first().inputValue()).toBe('部门主管初审');

    // The list shows both steps of the current version.
    await page.getByTestId('nav-approval-flows').click();
    // (Other flows may name a step 销售总监审批 too: the tiering journey's tier_change flow does.)
    const row = page.getByTestId('flows-table').locator('tr[data-row-key="discount"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('部门主管初审');
    expect(await row.textContent()).toContain(`v${n + 1}`);
    await page.context().close();
  });

  it('an account manager asks for a 25 % discount; the head approves, the director rejects, the manager sees why', async () => {
    // The account manager submits from the customer page.
    reference = `Q-${suffix}-A${attempts++}`;
    const manager = await newPage(browser);
    await signIn(manager, 'manager');
    await submitDiscount(manager, '25', reference, '客户年度框架采购，竞品报价低 20%');
    await expect.poll(() => manager.getByTestId('request-status').textContent()).toBe('审批中');
    const steps = manager.getByTestId('request-step');
    await expect.poll(() => steps.count()).toBe(2);
    await expect.poll(() => steps.nth(0).getAttribute('data-status')).toBe('active');
    expect(await steps.nth(0).textContent()).toContain('钱芳');
    // The account manager cannot decide their own request; they may withdraw it.
    expect(await manager.getByTestId('request-approve').count()).toBe(0);
    expect(await manager.getByTestId('request-withdraw').count()).toBe(1);
    await manager.context().close();

    // The department head sees it waiting (menu badge, inbox) and approves it.
    const head = await newPage(browser);
    await signIn(head, 'head');
    await expect.poll(() => head.getByTestId('nav-approvals-count').textContent()).toMatch(/^[1-9]/);
    await head.getByTestId('nav-approvals').click();
    await head.getByTestId('approvals-table').getByText(reference).waitFor();
    await shot(head, 'approvals-inbox');
    await openRequest(head, reference);
    expect(await head.getByTestId('request-reason-text').textContent()).toContain('竞品报价低 20%');
    await head.getByTestId('request-approve').click();
    await head.getByTestId('decision-text').fill('同意，注意回款节奏');
    await head.locator('#decision-submit').click();
    // Still pending: now at the director's step.
    await expect
      .poll(() => head.getByTestId('request-step').nth(0).getAttribute('data-status'))
      .toBe('approved');
    await expect
      .poll(() => head.getByTestId('request-step').nth(1).getAttribute('data-status'))
      .toBe('active');
    expect(await head.getByTestId('request-step').nth(1).textContent()).toContain('赵明');
    expect(await head.getByTestId('request-approve').count()).toBe(0);
    // Gone from the head's to-approve box, listed under what they processed.
    await head.getByTestId('request-drawer').locator('.ant-drawer-close').click();
    await expect.poll(() => head.getByTestId('approvals-table').getByText(reference).count()).toBe(0);
    await head.getByTestId('approvals-box-processed').click();
    await head.getByTestId('approvals-table').getByText(reference).waitFor();
    await head.context().close();

    // The director rejects; a reason is required.
    const director = await newPage(browser);
    await signIn(director, 'director');
    await director.getByTestId('nav-approvals').click();
    await openRequest(director, reference);
    await shot(director, 'approvals-request-detail', true);
    await director.getByTestId('request-reject').click();
    await director.locator('#decision-submit').click();
    await director.getByText('请填写原因').waitFor();
    await director.getByTestId('decision-text').fill(REJECT_REASON);
    await director.locator('#decision-submit').click();
    await expect.poll(() => director.getByTestId('request-status').textContent()).toBe('已驳回');
    await director.context().close();

    // The account manager is notified and sees the outcome with the director's reason.
    const back = await newPage(browser);
    await signIn(back, 'manager');
    await expect.poll(() => back.getByTestId('notification-count').textContent()).toMatch(/[1-9]/);
    await back.getByTestId('notification-bell').click();
    const notice = back
      .getByTestId('notification-item')
      .filter({ hasText: '驳回' })
      .filter({ hasText: reference })
      .first();
    await notice.waitFor();
    await shot(back, 'approvals-notifications');
    await notice.locator('.kam-notification-main').click();
    await back.getByTestId('request-detail').waitFor();
    await expect.poll(() => back.getByTestId('request-status').textContent()).toBe('已驳回');
    // Seen: no unread notice about this request is left, and the bell counts exactly what is unread
    // (other journeys, a tier change decided for this manager, may have left notices of their own).
    const unread = () =>
      back.evaluate(async (ref) => {
        const page = (await (await fetch('/api/v1/notifications?unread=true')).json()) as {
          items: { title: string; body: string | null }[];
          unreadCount: number;
        };
        const about = page.items.filter((n) => `${n.title} ${n.body ?? ''}`.includes(ref)).length;
        return { about, count: page.unreadCount };
      }, reference);
    await expect.poll(async () => (await unread()).about).toBe(0);
    const { count } = await unread();
    await expect
      .poll(() => back.getByTestId('notification-bell').getAttribute('aria-label'))
      .toBe(`通知（${count} 条未读）`);
    const outcome = await back.getByTestId('request-outcome').textContent();
    expect(outcome).toContain('审批被驳回');
    expect(outcome).toContain('赵明');
    expect(outcome).toContain(REJECT_REASON);
    expect(await back.getByTestId('request-history').textContent()).toContain('同意，注意回款节奏');
    // The director's step shows the rejection; nothing left to do but look.
    expect(await back.getByTestId('request-step').nth(1).getAttribute('data-status')).toBe('rejected');
    expect(await back.getByTestId('request-actions').count()).toBe(0);
    await back.context().close();
  });

  it('a 5 % discount passes the department head alone', async () => {
    const manager = await newPage(browser);
    await signIn(manager, 'manager');
    await submitDiscount(manager, '5', SMALL_REFERENCE, '老客户续约，小幅让利');
    await expect
      .poll(() => manager.getByTestId('request-step').nth(1).getAttribute('data-status'))
      .toBe('skipped');
    await manager.context().close();

    const head = await newPage(browser);
    await signIn(head, 'head');
    await head.getByTestId('nav-approvals').click();
    await openRequest(head, SMALL_REFERENCE);
    await head.getByTestId('request-approve').click();
    await head.locator('#decision-submit').click();
    await expect.poll(() => head.getByTestId('request-status').textContent()).toBe('已通过');
    await head.context().close();
  });

  it('returned for changes: the manager edits and resubmits, comments, and withdraws', async () => {
    const manager = await newPage(browser);
    await signIn(manager, 'manager');
    await submitDiscount(manager, '20', RETURN_REFERENCE, '新项目首单，争取长期合作');
    await manager.context().close();

    const head = await newPage(browser);
    await signIn(head, 'head');
    await head.getByTestId('nav-approvals').click();
    await openRequest(head, RETURN_REFERENCE);
    await head.getByTestId('request-return').click();
    await head.getByTestId('decision-text').fill('请补充竞品报价单');
    await head.locator('#decision-submit').click();
    await expect.poll(() => head.getByTestId('request-status').textContent()).toBe('已退回');
    await head.context().close();

    const back = await newPage(browser);
    await signIn(back, 'manager');
    await back.goto(`${base}/approvals?box=submitted`);
    await openRequest(back, RETURN_REFERENCE);
    const outcome = await back.getByTestId('request-outcome').textContent();
    expect(outcome).toContain('申请被退回修改');
    expect(outcome).toContain('请补充竞品报价单');
    // Edit and resubmit: the form comes back filled in; a lower discount goes round again.
    await back.getByTestId('request-resubmit').click();
    await expect.poll(() => back.getByTestId('request-discount').inputValue()).toBe('20');
    await back.getByTestId('request-discount').fill('12');
    await back.getByTestId('request-reason').fill('已附竞品报价单，折扣降至 12%');
    await back.locator('#request-submit').click();
    await expect.poll(() => back.getByTestId('request-status').textContent()).toBe('审批中');
    await expect.poll(() => back.getByTestId('request-summary').textContent()).toContain('折扣 12%');
    expect(await back.getByTestId('request-history').textContent()).toContain('重新提交了申请');
    // A comment for the approvers.
    await back.getByTestId('request-comment-input').fill('报价单已上传到共享盘');
    await back.getByTestId('request-comment-send').click();
    await back.getByTestId('request-comments').getByText('报价单已上传到共享盘').waitFor();
    // Withdrawn while pending: nothing left to decide.
    await back.getByTestId('request-withdraw').click();
    await back.locator('#withdraw-confirm').click();
    await expect.poll(() => back.getByTestId('request-status').textContent()).toBe('已撤回');
    expect(await back.getByTestId('request-actions').count()).toBe(0);
    await back.context().close();
  });

  it('an approved ownership transfer hands the customer over', async () => {
    // A one-step flow for transfers (set up through the API: the builder is covered above).
    const director = await newPage(browser);
    await signIn(director, 'director');
    const saved = await director.evaluate(async () => {
      const me = await (await fetch('/api/v1/me')).json();
      const current = await (await fetch('/api/v1/approval-flows/ownership_transfer')).json();
      const res = await fetch('/api/v1/approval-flows/ownership_transfer', {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken },
        body: JSON.stringify({
          expectedVersion: current.version,
          flow: {
            requestType: 'ownership_transfer',
            steps: [
              {
                id: 'head',
                name: '主管审批',
                approvers: [{ kind: 'requester_department_head' }],
                mode: 'any',
              },
            ],
          },
        }),
      });
      return res.status;
    });
    expect(saved).toBe(200);

    // The department head asks to take over one of the account manager's customers.
    const head = await newPage(browser);
    await signIn(head, 'head');
    await head.getByTestId('nav-customers').click();
    const TRANSFER_CUSTOMER = await head.evaluate(async (names) => {
      for (const name of names) {
        const page = await (await fetch(`/api/v1/customers?q=${encodeURIComponent(name)}`)).json();
        if (
          page.items.some(
            (c: { name: string; ownerName: string }) => c.name === name && c.ownerName === '孙伟',
          )
        )
          return name;
      }
      return null;
    }, TRANSFER_CANDIDATES);
    if (!TRANSFER_CUSTOMER) throw new Error('no demo customer of 孙伟 left to transfer');
    await head.getByTestId('customers-table').getByText(TRANSFER_CUSTOMER).click();
    await expect.poll(() => head.getByTestId('customer-name').textContent()).toBe(TRANSFER_CUSTOMER);
    await head.getByTestId('customer-request-transfer').click();
    await choose(head, head.getByTestId('request-new-owner'), '钱芳', /^钱芳/);
    await head.getByTestId('request-reason').fill('孙伟调岗，客户由我接手');
    await shot(head, 'approvals-request-form');
    await head.locator('#request-submit').click();
    await head.getByTestId('request-detail').waitFor();
    await expect.poll(() => head.getByTestId('request-summary').textContent()).toContain('钱芳');
    // Her own head (a level up, she heads her department) decides: the director.
    expect(await head.getByTestId('request-step').first().textContent()).toContain('赵明');
    await head.context().close();

    await director.getByTestId('nav-approvals').click();
    await openRequest(director, '客户转移给 钱芳');
    expect(await director.getByTestId('request-detail').textContent()).toContain(TRANSFER_CUSTOMER);
    await director.getByTestId('request-approve').click();
    await director.locator('#decision-submit').click();
    await expect.poll(() => director.getByTestId('request-status').textContent()).toBe('已通过');
    // The customer now belongs to 钱芳.
    await director.getByTestId('request-detail').getByText(TRANSFER_CUSTOMER).click();
    await expect.poll(() => director.getByTestId('customer-name').textContent()).toBe(TRANSFER_CUSTOMER);
    await expect.poll(() => director.getByTestId('customer-detail').textContent()).toContain('钱芳');
    await director.context().close();
  });

  it('works on a 390 px phone: inbox cards, the request full screen, the builder stacked', async () => {
    const page = await newPage(browser, { mobile: true });
    await signIn(page, 'director');
    await page.goto(`${base}/approvals?box=processed`);
    await page.getByTestId('approvals-cards').getByText(reference).waitFor();
    expect(await page.getByTestId('approvals-table').count()).toBe(0);
    await noHorizontalOverflow(page);
    await shot(page, 'approvals-inbox-phone');
    await page.getByTestId('approvals-cards').getByText(reference).click();
    await page.getByTestId('request-detail').waitFor();
    await expect.poll(() => page.getByTestId('request-status').textContent()).toBe('已驳回');
    await shot(page, 'approvals-request-detail-phone');
    await page.getByTestId('request-drawer').locator('.ant-drawer-close').click();

    await page.goto(`${base}/approval-flows/discount`);
    await page.getByTestId('flow-editor').waitFor();
    await expect.poll(() => page.getByTestId('flow-step').count()).toBe(2);
    await noHorizontalOverflow(page);
    await shot(page, 'approvals-flow-builder-phone', true);
    await page.context().close();
  });

  it('English: the inbox and request are fully translated', async () => {
    const page = await newPage(browser, { locale: 'en' });
    await signIn(page, 'manager');
    await page.getByTestId('lang-switch').click();
    await page.goto(`${base}/approvals?box=submitted`);
    await page.getByTestId('approvals-table').getByText(reference).waitFor();
    await expect.poll(() => page.getByTestId('approvals-box-todo').textContent()).toBe('To approve');
    await openRequest(page, reference);
    await expect.poll(() => page.getByTestId('request-status').textContent()).toBe('Rejected');
    expect(await page.getByTestId('request-outcome').textContent()).toContain(REJECT_REASON);
    // No Chinese UI text left in the drawer apart from names and what people typed.
    const chrome = await page.getByTestId('request-drawer').locator('.ant-drawer-header').textContent();
    expect(chrome).toBe('Approval request');
    // Back to Chinese for this demo user (the choice is saved on their profile).
    await page.getByTestId('request-drawer').locator('.ant-drawer-close').click();
    await page.getByTestId('lang-switch').click();
    await expect.poll(() => page.getByTestId('approvals-box-todo').textContent()).toBe('待我审批');
    await page.context().close();
  });
});
