import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type ByteSource, readRows, type SheetRow } from './sheet.js';

/** 2026-01-01 as an MS-DOS date (entry times are not read, but a zip has them). */
const DOS_DATE = ((2026 - 1980) << 9) | (1 << 5) | 1;

/** A stored (uncompressed) zip of `parts`, in the order given — enough for an xlsx. */
function zip(parts: [string, string][]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of parts) {
    const data = Buffer.from(text, 'utf8');
    const fileName = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fileName.length, 26);
    locals.push(local, fileName, data);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(DOS_DATE, 14);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(data.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(fileName.length, 28);
    entry.writeUInt32LE(offset, 42);
    central.push(entry, fileName);
    offset += 30 + fileName.length + data.length;
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PARTS: Record<string, string> = {
  '[Content_Types].xml': `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`,
  '_rels/.rels': `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
  'xl/_rels/workbook.xml.rels': `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${REL}/styles" Target="styles.xml"/><Relationship Id="rId3" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
  'xl/workbook.xml': `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${NS}" xmlns:r="${REL}"><sheets><sheet name="客户" sheetId="1" r:id="rId1"/></sheets></workbook>`,
  // cell style 1 = built-in number format 14 (a date)
  'xl/styles.xml': `<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="${NS}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>`,
  'xl/sharedStrings.xml': `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="${NS}" count="3" uniqueCount="3"><si><t>公司名称</t></si><si><t>签约日期</t></si><si><t>华为技术有限公司</t></si></sst>`,
  'xl/worksheets/sheet1.xml': `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${NS}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" s="1"><v>46024</v></c></row></sheetData></worksheet>`,
};

async function rowsOf(order: string[], parts: Record<string, string> = PARTS): Promise<SheetRow[]> {
  const file = zip(order.map((name) => [name, parts[name] as string]));
  const src: ByteSource = {
    size: file.length,
    read: async (offset, length) => file.subarray(offset, offset + length),
    // in small pieces, as the chunk store hands them out
    stream: (from, to) =>
      Readable.from(
        Array.from({ length: Math.ceil((to - from) / 7) }, (_, i) =>
          file.subarray(from + i * 7, Math.min(to, from + i * 7 + 7)),
        ),
      ),
  };
  const rows: SheetRow[] = [];
  for await (const row of readRows(src, { format: 'xlsx' })) rows.push(row);
  return rows;
}

const EXPECTED: SheetRow[] = [
  { rowNo: 1, cells: ['公司名称', '签约日期'] },
  { rowNo: 2, cells: ['华为技术有限公司', new Date(Date.UTC(2026, 0, 2))] },
];

describe('reading an xlsx whatever the order of its parts', () => {
  it("reads Excel's order: workbook, styles and shared strings before the worksheet", async () => {
    expect(
      await rowsOf([
        '[Content_Types].xml',
        '_rels/.rels',
        'xl/workbook.xml',
        'xl/_rels/workbook.xml.rels',
        'xl/styles.xml',
        'xl/sharedStrings.xml',
        'xl/worksheets/sheet1.xml',
      ]),
    ).toEqual(EXPECTED);
  });

  it('reads a worksheet that comes before the workbook and its styles (same rows, the date still a date)', async () => {
    expect(
      await rowsOf([
        '[Content_Types].xml',
        '_rels/.rels',
        'xl/_rels/workbook.xml.rels',
        'xl/sharedStrings.xml',
        'xl/worksheets/sheet1.xml',
        'xl/workbook.xml',
        'xl/styles.xml',
      ]),
    ).toEqual(EXPECTED);
  });

  it('reads a worksheet that comes after the workbook but before its styles with the date as a date', async () => {
    expect(
      await rowsOf([
        '[Content_Types].xml',
        '_rels/.rels',
        'xl/workbook.xml',
        'xl/_rels/workbook.xml.rels',
        'xl/sharedStrings.xml',
        'xl/worksheets/sheet1.xml',
        'xl/styles.xml',
      ]),
    ).toEqual(EXPECTED);
  });

  it('reads a workbook without shared strings (text inline in the worksheet), the worksheet first', async () => {
    const texts = ['公司名称', '签约日期', '华为技术有限公司'];
    const sheet = (PARTS['xl/worksheets/sheet1.xml'] as string).replace(
      /<c r="([A-Z]+\d+)" t="s"><v>(\d+)<\/v><\/c>/g,
      (_, ref: string, i: string) => `<c r="${ref}" t="inlineStr"><is><t>${texts[Number(i)]}</t></is></c>`,
    );
    expect(sheet).not.toContain('t="s"');
    const order = [
      '[Content_Types].xml',
      '_rels/.rels',
      'xl/_rels/workbook.xml.rels',
      'xl/worksheets/sheet1.xml',
      'xl/workbook.xml',
      'xl/styles.xml',
    ];
    expect(await rowsOf(order, { ...PARTS, 'xl/worksheets/sheet1.xml': sheet })).toEqual(EXPECTED);
  });
});
