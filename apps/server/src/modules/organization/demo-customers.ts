import { creditCodeCheckChar, normalizeCompanyName, pinyinKey } from '@kam/domain';
import type { Database, Tx } from '../../db/database.js';
import { timeUuid } from '../../db/ids.js';
import type { NewOrganization } from './bootstrap.js';

/**
 * The demo company's customers (only for `npm start` with KAM_DEMO, never in tests): fictional
 * companies with valid-format credit codes, contacts, three years of orders with payments,
 * follow-ups, service records and account teams, so that every Customer 360 screen has something
 * to show. Deterministic (seeded), dated relative to the day of the first start.
 */

interface DemoCustomer {
  name: string;
  industry: string;
  city: string;
  owner: string;
  status: 'prospect' | 'active' | 'dormant' | 'lost';
  size: string;
  source: string;
  tags: string[];
  /** typical order size in yuan; 0 = no orders yet */
  orderSize: number;
  /** orders per year */
  frequency: number;
  /** support logins on the account team */
  team?: string[];
}

const CUSTOMERS: DemoCustomer[] = [
  {
    name: '上海澄明精密机械有限公司',
    industry: 'C',
    city: '310100',
    owner: 'manager',
    status: 'active',
    size: 'large',
    source: 'exhibition',
    tags: ['制造', '老客户'],
    orderSize: 860_000,
    frequency: 8,
    team: ['service', 'tech'],
  },
  {
    name: '上海远帆物流股份有限公司',
    industry: 'G',
    city: '310100',
    owner: 'manager',
    status: 'active',
    size: 'enterprise',
    source: 'referral',
    tags: ['物流', '战略'],
    orderSize: 2_400_000,
    frequency: 5,
    team: ['service', 'delivery'],
  },
  {
    name: '苏州恒信电子科技有限公司',
    industry: 'C',
    city: '320500',
    owner: 'manager',
    status: 'active',
    size: 'medium',
    source: 'website',
    tags: ['电子'],
    orderSize: 320_000,
    frequency: 6,
    team: ['tech'],
  },
  {
    name: '上海禾润食品有限公司',
    industry: 'C',
    city: '310100',
    owner: 'manager',
    status: 'dormant',
    size: 'small',
    source: 'cold_call',
    tags: ['食品'],
    orderSize: 90_000,
    frequency: 2,
  },
  {
    name: '上海星图数据服务有限公司',
    industry: 'I',
    city: '310100',
    owner: 'manager',
    status: 'prospect',
    size: 'small',
    source: 'event',
    tags: ['软件', '新线索'],
    orderSize: 0,
    frequency: 0,
  },
  {
    name: '南京博远医药连锁有限公司',
    industry: 'F',
    city: '320100',
    owner: 'head',
    status: 'active',
    size: 'large',
    source: 'partner',
    tags: ['医药'],
    orderSize: 1_150_000,
    frequency: 4,
    team: ['service'],
  },
  {
    name: '上海嘉禾建设工程有限公司',
    industry: 'E',
    city: '310100',
    owner: 'head',
    status: 'active',
    size: 'enterprise',
    source: 'referral',
    tags: ['建筑', '战略'],
    orderSize: 5_600_000,
    frequency: 3,
    team: ['delivery', 'tech'],
  },
  {
    name: '杭州云帆智能科技有限公司',
    industry: 'I',
    city: '330100',
    owner: 'manager2',
    status: 'active',
    size: 'medium',
    source: 'website',
    tags: ['软件', '高成长'],
    orderSize: 480_000,
    frequency: 7,
    team: ['tech'],
  },
  {
    name: '宁波港鑫国际贸易有限公司',
    industry: 'F',
    city: '330200',
    owner: 'manager2',
    status: 'active',
    size: 'large',
    source: 'exhibition',
    tags: ['外贸'],
    orderSize: 1_600_000,
    frequency: 4,
    team: ['service'],
  },
  {
    name: '杭州绿野生态农业有限公司',
    industry: 'A',
    city: '330100',
    owner: 'manager2',
    status: 'lost',
    size: 'small',
    source: 'cold_call',
    tags: ['农业'],
    orderSize: 60_000,
    frequency: 2,
  },
  {
    name: '绍兴华纺纺织印染有限公司',
    industry: 'C',
    city: '330600',
    owner: 'manager2',
    status: 'active',
    size: 'medium',
    source: 'partner',
    tags: ['纺织'],
    orderSize: 270_000,
    frequency: 5,
  },
  {
    name: '温州瑞安汽配有限公司',
    industry: 'C',
    city: '330300',
    owner: 'manager2',
    status: 'prospect',
    size: 'small',
    source: 'exhibition',
    tags: ['汽配'],
    orderSize: 0,
    frequency: 0,
  },
  {
    name: '深圳前海金融科技有限公司',
    industry: 'J',
    city: '440300',
    owner: 'manager3',
    status: 'active',
    size: 'large',
    source: 'referral',
    tags: ['金融', '战略'],
    orderSize: 3_200_000,
    frequency: 4,
    team: ['service', 'tech'],
  },
  {
    name: '深圳华芯半导体有限公司',
    industry: 'C',
    city: '440300',
    owner: 'manager3',
    status: 'active',
    size: 'enterprise',
    source: 'event',
    tags: ['半导体', '高成长'],
    orderSize: 2_100_000,
    frequency: 6,
    team: ['tech', 'delivery'],
  },
  {
    name: '东莞联创塑胶制品有限公司',
    industry: 'C',
    city: '441900',
    owner: 'manager3',
    status: 'dormant',
    size: 'medium',
    source: 'cold_call',
    tags: ['制造'],
    orderSize: 150_000,
    frequency: 3,
  },
  {
    name: '广州岭南文化传媒有限公司',
    industry: 'R',
    city: '440100',
    owner: 'south.head',
    status: 'active',
    size: 'small',
    source: 'website',
    tags: ['传媒'],
    orderSize: 120_000,
    frequency: 4,
  },
  {
    name: '佛山美居家具制造有限公司',
    industry: 'C',
    city: '440600',
    owner: 'south.head',
    status: 'active',
    size: 'large',
    source: 'exhibition',
    tags: ['家居'],
    orderSize: 680_000,
    frequency: 5,
    team: ['delivery'],
  },
  {
    name: '珠海海湾能源科技有限公司',
    industry: 'D',
    city: '440400',
    owner: 'south.head',
    status: 'prospect',
    size: 'medium',
    source: 'partner',
    tags: ['能源', '新线索'],
    orderSize: 0,
    frequency: 0,
  },
];

const FIRST_NAMES = [
  '伟',
  '芳',
  '娜',
  '敏',
  '静',
  '丽',
  '强',
  '磊',
  '洋',
  '艳',
  '勇',
  '军',
  '杰',
  '娟',
  '涛',
  '明',
  '超',
  '秀英',
  '霞',
  '平',
];
const FAMILY_NAMES = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '黄',
  '赵',
  '吴',
  '周',
  '徐',
  '孙',
  '马',
  '朱',
  '胡',
  '郭',
  '何',
  '高',
  '林',
  '罗',
];
const TITLES: [string, string, string][] = [
  ['总经理', '总经办', 'decision_maker'],
  ['采购总监', '采购部', 'influencer'],
  ['IT 经理', '信息部', 'user'],
  ['行政主管', '行政部', 'gatekeeper'],
  ['项目经理', '运营部', 'champion'],
];
const PRODUCT_LINES = ['企业软件', '硬件设备', '实施服务', '运维服务'];
const FOLLOW_UPS: [string, string, string][] = [
  ['visit', '上门拜访，了解明年预算与扩容计划', '客户认可方案，待内部评审'],
  ['call', '电话沟通续约条款', '对方希望付款周期调整为季度'],
  ['meeting', '季度业务回顾会议', '确认二期项目范围'],
  ['wechat', '微信同步报价单', '已收到，下周反馈'],
  ['email', '发送产品升级说明', '客户 IT 部门在评估'],
];
const SERVICE: [string, string, string][] = [
  ['question', 'medium', '咨询报表导出功能'],
  ['incident', 'high', '系统登录缓慢'],
  ['complaint', 'high', '交付延期投诉'],
  ['request', 'low', '新增两个账号'],
];

/** A small deterministic generator (mulberry32), so every demo install looks the same. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A credit code with a valid check character for a registering region. */
function creditCode(city: string, n: number): string {
  const body = `9${'1'}${city}${String(100000000 + n * 7919).slice(-9)}`;
  return `${body}${creditCodeCheckChar(body)}`;
}

const day = 86_400_000;
const isoDate = (d: Date) => d.toISOString().slice(0, 10);
const money = (yuan: number) => (Math.round(yuan * 100) / 100).toFixed(2);

export async function seedDemoCustomers(db: Database, org: NewOrganization, now = new Date()): Promise<void> {
  const random = rng(20261130);
  await db.withTenant(org.tenantId, async (tx) => {
    const users = new Map<string, { id: string; department_id: string }>();
    const { rows } = await tx.query<{ id: string; login: string; department_id: string }>(
      'SELECT id, login, department_id FROM users WHERE tenant_id = kam_tenant()',
    );
    for (const u of rows) users.set(u.login, u);
    let n = 0;
    for (const c of CUSTOMERS) {
      n += 1;
      const owner = users.get(c.owner);
      if (!owner) continue;
      const id = timeUuid();
      const created = new Date(now.getTime() - (1100 - n * 13) * day);
      await tx.query(
        `INSERT INTO customers (tenant_id, id, name, name_norm, name_pinyin, credit_code, industry,
           province_code, city_code, size_band, source, tags, status, owner_id, department_id,
           created_by, updated_by, created_at, updated_at)
         VALUES (kam_tenant(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $13, $13, $15, $15)`,
        [
          id,
          c.name,
          normalizeCompanyName(c.name),
          pinyinKey(c.name),
          creditCode(c.city, n),
          c.industry,
          `${c.city.slice(0, 2)}0000`,
          c.city,
          c.size,
          c.source,
          c.tags,
          c.status,
          owner.id,
          owner.department_id,
          created,
        ],
      );
      await insertTeam(tx, id, owner.id, 'owner');
      for (const login of c.team ?? []) {
        const member = users.get(login);
        if (member)
          await insertTeam(
            tx,
            id,
            member.id,
            login === 'service' ? 'customer_service' : login === 'tech' ? 'technical_support' : 'delivery',
          );
      }
      await tx.query(
        `INSERT INTO customer_ownership_history (tenant_id, id, customer_id, kind, to_owner_id, to_department_id, changed_by, changed_at, reason)
         VALUES (kam_tenant(), $1, $2, 'create', $3, $4, $3, $5, '演示数据')`,
        [timeUuid(), id, owner.id, owner.department_id, created],
      );

      // Contacts: two or three, the first is the primary decision maker.
      const contactIds: string[] = [];
      const contacts = 2 + Math.floor(random() * 2);
      for (let i = 0; i < contacts; i++) {
        const contactId = timeUuid();
        contactIds.push(contactId);
        const name = `${FAMILY_NAMES[Math.floor(random() * FAMILY_NAMES.length)]}${FIRST_NAMES[Math.floor(random() * FIRST_NAMES.length)]}`;
        const [title, department, role] = TITLES[i % TITLES.length]!;
        await tx.query(
          `INSERT INTO contacts (tenant_id, id, customer_id, name, name_pinyin, title, department, mobile, email,
             decision_role, attitude, is_primary, created_by)
           VALUES (kam_tenant(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
          [
            contactId,
            id,
            name,
            pinyinKey(name),
            title,
            department,
            `+86139${String(10000000 + n * 1000 + i).slice(-8)}`,
            `contact${n}-${i}@demo-customer.example`,
            role,
            ['supportive', 'neutral', 'supportive', 'opposed'][Math.floor(random() * 4)],
            i === 0,
            owner.id,
          ],
        );
      }

      // Orders over the last three years: log-normal amounts around the customer's typical size.
      if (c.orderSize > 0) {
        const count = Math.max(1, Math.round(c.frequency * 3 * (0.6 + random() * 0.8)));
        for (let i = 0; i < count; i++) {
          const orderedAt = new Date(now.getTime() - Math.floor(random() * 1090 + 5) * day);
          const z = Math.sqrt(-2 * Math.log(random() + 1e-9)) * Math.cos(2 * Math.PI * random());
          const amount = Math.max(5_000, c.orderSize * Math.exp(0.5 * z - 0.125));
          const roll = random();
          const status = roll < 0.03 ? 'cancelled' : roll < 0.05 ? 'returned' : 'confirmed';
          const orderId = timeUuid();
          await tx.query(
            `INSERT INTO orders (tenant_id, id, order_no, customer_id, ordered_at, amount, gross_margin, product_line, status, created_by)
             VALUES (kam_tenant(), $1, $2, $3, $4, $5, $6, $7, $8, $9)`,
            [
              orderId,
              `SO${orderedAt.getUTCFullYear()}${String(n).padStart(3, '0')}${String(i).padStart(3, '0')}`,
              id,
              isoDate(orderedAt),
              money(amount),
              money(amount * (0.18 + random() * 0.2)),
              PRODUCT_LINES[Math.floor(random() * PRODUCT_LINES.length)],
              status,
              owner.id,
            ],
          );
          if (status !== 'confirmed') continue;
          // Two instalments: 60 % at 30 days, 40 % at 90 days; recent ones may still be open.
          for (const [share, days] of [
            [0.6, 30],
            [0.4, 90],
          ] as const) {
            const due = new Date(orderedAt.getTime() + days * day);
            const late = random() < 0.15;
            const paid = due.getTime() + (late ? 25 : -3) * day < now.getTime() && random() > 0.08;
            await tx.query(
              `INSERT INTO payments (tenant_id, id, order_id, customer_id, amount, due_date, paid_at, created_by)
               VALUES (kam_tenant(), $1, $2, $3, $4, $5, $6, $7)`,
              [
                timeUuid(),
                orderId,
                id,
                money(amount * share),
                isoDate(due),
                paid ? isoDate(new Date(due.getTime() + (late ? 25 : -3) * day)) : null,
                owner.id,
              ],
            );
          }
        }
      }

      // Follow-ups: recent for active customers, long ago for dormant and lost ones.
      const followUps = c.status === 'prospect' ? 2 : 4;
      const ageDays = c.status === 'dormant' || c.status === 'lost' ? 120 : 3;
      for (let i = 0; i < followUps; i++) {
        const [type, summary, outcome] = FOLLOW_UPS[(n + i) % FOLLOW_UPS.length]!;
        const at = new Date(now.getTime() - (ageDays + i * 17 + Math.floor(random() * 5)) * day);
        const next = i === 0 && c.status !== 'lost';
        await tx.query(
          `INSERT INTO follow_ups (tenant_id, id, customer_id, type, at, author_id, contact_ids, summary, outcome,
             next_step, next_step_date, next_step_owner_id)
           VALUES (kam_tenant(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
          [
            timeUuid(),
            id,
            type,
            at,
            owner.id,
            [contactIds[0]],
            summary,
            outcome,
            next ? '发送正式报价并约下次会议' : null,
            next ? isoDate(new Date(now.getTime() + 7 * day)) : null,
            next ? owner.id : null,
          ],
        );
      }

      // Service records for customers with a support team.
      if (c.team?.length) {
        for (let i = 0; i < 2; i++) {
          const [type, severity, title] = SERVICE[(n + i) % SERVICE.length]!;
          const opened = new Date(now.getTime() - (40 - i * 30 + Math.floor(random() * 5)) * day);
          const closed = i === 0 ? new Date(opened.getTime() + 2 * day) : null;
          await tx.query(
            `INSERT INTO service_records (tenant_id, id, customer_id, type, severity, title, opened_at, closed_at,
               satisfaction, created_by)
             VALUES (kam_tenant(), $1, $2, $3, $4, $5, $6, $7, $8, $9)`,
            [
              timeUuid(),
              id,
              type,
              severity,
              title,
              opened,
              closed,
              closed ? 4 + Math.round(random()) : null,
              owner.id,
            ],
          );
        }
      }
    }
  });
}

async function insertTeam(tx: Tx, customerId: string, userId: string, role: string): Promise<void> {
  await tx.query(
    `INSERT INTO customer_team (tenant_id, customer_id, user_id, team_role, access)
     VALUES (kam_tenant(), $1, $2, $3, 'read_write') ON CONFLICT DO NOTHING`,
    [customerId, userId, role],
  );
}
