import { PassThrough, type Readable } from 'node:stream';
import {
  ENUM_LABELS,
  ENUM_VALUES,
  errorMessage,
  IMPORT_FIELDS,
  type ImportField,
  type ImportType,
  INDUSTRIES,
  isErrorCode,
  type Locale,
} from '@kam/domain';
import { inTenant, type ServiceContext } from '../../context.js';
import * as repo from './repo.js';
import { defaultPhase, ownImport } from './service.js';
import { type ColumnSpec, XlsxStreamWriter } from './sheet.js';

const TYPE_NAMES: Record<ImportType, { zh: string; en: string }> = {
  customers: { zh: '客户', en: 'customers' },
  contacts: { zh: '联系人', en: 'contacts' },
  orders: { zh: '订单', en: 'orders' },
  follow_ups: { zh: '跟进记录', en: 'follow-ups' },
  service_records: { zh: '服务记录', en: 'service-records' },
};

const TEXT_KINDS = new Set(['creditCode', 'mobile', 'phone', 'customerRef']);
const DATE_KINDS: Record<string, string> = { date: 'yyyy-mm-dd', dateTime: 'yyyy-mm-dd hh:mm' };

const label = (f: ImportField, locale: Locale) => (locale === 'en' ? f.label.en : f.label.zh);

/** The header a template column carries: the label, `*` marking a required field. */
export function templateHeader(f: ImportField, locale: Locale): string {
  return `${f.required ? '*' : ''}${label(f, locale)}`;
}

function allowedValues(f: ImportField, locale: Locale): string | null {
  if (f.kind === 'enum' && f.enumKind) {
    const kind = f.enumKind;
    return (ENUM_VALUES[kind] as readonly string[])
      .map((v) => {
        const l = ENUM_LABELS[kind][v];
        return l ? (locale === 'en' ? l.en : l.zh) : v;
      })
      .join(locale === 'en' ? ', ' : '、');
  }
  if (f.kind === 'industry') {
    return INDUSTRIES.map((i) => `${i.code} ${locale === 'en' ? i.en : i.zh}`).join(
      locale === 'en' ? '; ' : '；',
    );
  }
  if (f.kind === 'boolean') return locale === 'en' ? 'yes / no' : '是 / 否';
  if (f.kind === 'user')
    return locale === 'en' ? 'login or name of an active user' : '在职用户的登录名或姓名';
  if (f.kind === 'customerRef') {
    return locale === 'en' ? 'credit code or exact company name' : '统一社会信用代码或完整客户名称';
  }
  if (f.kind === 'money' || f.kind === 'signedMoney')
    return locale === 'en' ? 'CNY, e.g. 12345.67' : '人民币元，如 12345.67';
  if (f.kind in DATE_KINDS) return f.kind === 'date' ? '2026-01-31' : '2026-01-31 14:30';
  return null;
}

/**
 * The downloadable template of a record type: one sheet with the headers (required ones marked *),
 * credit code / mobile / phone / customer columns formatted as text ('@') so long digit strings stay
 * exact, date columns as dates; a second sheet explains every column and its allowed values.
 */
export function templateFile(
  type: ImportType,
  locale: Locale,
): { filename: string; displayName: string; stream: Readable } {
  const out = new PassThrough();
  const fields = IMPORT_FIELDS[type];
  (async () => {
    const book = new XlsxStreamWriter(out);
    const columns: ColumnSpec[] = fields.map((f) => ({
      header: templateHeader(f, locale),
      ...(TEXT_KINDS.has(f.kind)
        ? { numFmt: '@' }
        : DATE_KINDS[f.kind]
          ? { numFmt: DATE_KINDS[f.kind] }
          : {}),
    }));
    const data = book.sheet(locale === 'en' ? 'Data' : '数据', columns);
    data.done();
    const help = book.sheet(locale === 'en' ? 'Instructions' : '填写说明', [
      { header: locale === 'en' ? 'Column' : '列名', width: 24 },
      { header: locale === 'en' ? 'Required' : '必填', width: 8 },
      { header: locale === 'en' ? 'Allowed values / format' : '可选值 / 格式', width: 90 },
    ]);
    for (const f of fields) {
      help.add([
        label(f, locale),
        f.required ? (locale === 'en' ? 'yes' : '是') : '',
        allowedValues(f, locale),
      ]);
    }
    help.done();
    await book.finish();
  })().catch((err) => out.destroy(err as Error));
  const name = TYPE_NAMES[type];
  return {
    filename: `import-template-${name.en}.xlsx`,
    displayName: locale === 'en' ? `import-template-${name.en}.xlsx` : `${name.zh}导入模板.xlsx`,
    stream: out,
  };
}

const ERROR_PAGE = 1000;

/**
 * The rejected rows as .xlsx: the original header row and cells of every row with an error, plus a
 * column with the reasons (错误原因) — fix them there and upload the file again.
 */
export async function errorFile(
  ctx: ServiceContext,
  id: string,
  phase?: repo.Phase,
): Promise<{ filename: string; stream: Readable }> {
  const imp = await inTenant(ctx, (tx) => ownImport(tx, ctx, id));
  const which = phase ?? defaultPhase(imp);
  const locale = ctx.actor.locale;
  const out = new PassThrough();
  (async () => {
    const book = new XlsxStreamWriter(out);
    const sheet = book.sheet(locale === 'en' ? 'Rejected rows' : '错误数据', [
      { header: locale === 'en' ? 'Row' : '原行号', width: 8 },
      ...imp.headers.map((h) => ({ header: h })),
      { header: locale === 'en' ? 'Error' : '错误原因', width: 60 },
    ]);
    let after: [number, number] | null = null;
    let current: { rowNo: number; raw: unknown[]; reasons: string[] } | null = null;
    const flush = () => {
      if (!current) return;
      const cells = imp.headers.map((_, i) => {
        const v = current!.raw[i];
        return v === undefined || v === null || typeof v === 'boolean'
          ? v == null
            ? null
            : String(v)
          : (v as string | number);
      });
      sheet.add([current.rowNo, ...cells, current.reasons.join(locale === 'en' ? '; ' : '；')]);
    };
    for (;;) {
      const rows = await inTenant(ctx, (tx) =>
        repo.listIssues(tx, id, which, { kind: 'error', limit: ERROR_PAGE, after }),
      );
      for (const r of rows) {
        if (!current || current.rowNo !== r.row_no) {
          flush();
          current = { rowNo: r.row_no, raw: r.raw ?? [], reasons: [] };
        }
        const col =
          r.field === null ? -1 : Object.entries(imp.mapping ?? {}).find(([, k]) => k === r.field)?.[0];
        const column = col !== undefined && Number(col) >= 0 ? imp.headers[Number(col)] : undefined;
        const message = isErrorCode(r.code) ? errorMessage(r.code, locale, r.params) : r.code;
        current.reasons.push(column ? `${column}: ${message}` : message);
      }
      if (rows.length < ERROR_PAGE) break;
      const last = rows.at(-1)!;
      after = [last.row_no, last.seq];
    }
    flush();
    sheet.done();
    await book.finish();
  })().catch((err) => out.destroy(err as Error));
  const base = imp.file_name.replace(/\.(xlsx|csv)$/i, '').replace(/[^\w.-]+/g, '_') || 'import';
  return { filename: `${base}-errors.xlsx`, stream: out };
}
