// A realistic synthetic tenant for the benchmarks, generated set-based: one INSERT … SELECT FROM
// generate_series per table, run as the tenant (db.withTenant: application role, row-level
// security on). Sizes from the environment (defaults = the tenant):
//   KAM_BENCH_CUSTOMERS (1,000,000)  KAM_BENCH_ORDERS (10 × customers)  KAM_BENCH_FOLLOW_UPS (5 × customers)
//   KAM_BENCH_SERVICE_RECORDS (0.3 × customers)  KAM_BENCH_USERS (2,000)
// 100 departments (10 regions × 9 branches + support) under the root; per region a sales director,
// per branch a department head, 50 support staff, the rest account managers spread over the
// branches. Customers: Chinese company names built from syllable tables (city + two-character
// brand + trade + legal form), unique normalised names, pinyin keys as pinyinKey() makes them,
// valid credit codes for ~60 %, skewed industries, real GB/T 2260 city codes, status mix, owner =
// an account manager (skewed: some own many more customers than others), owning department = the
// owner's. Orders over three years with log-normal amounts (median ¥20,000, σ 1.2; 2 % cancelled,
// 1 % returned), payments for ~30 % of orders, follow-ups, service records (10 % complaints).
//
// Bulk-load technique (decision 0012): secondary indexes are dropped and rebuilt after the load,
// and the triggers of the loaded tables (aggregate triggers and foreign-key checks) are disabled
// during the load; the customers' aggregates (revenue_12m, orders_12m, last_order_at,
// last_follow_up_at) are computed once, set-based, when the customers are inserted — after their
// orders and follow-ups, which reference customer ids derived from the customer number
// (md5(tenant, n) as a version-4 UUID), so every reference is valid by construction. KAM_BENCH_GEN_MODE=plain loads with
// indexes and triggers in place instead (for comparison, small sizes only).
import { pinyinKey } from '@kam/domain';
import { hashPassword } from '../apps/server/dist/modules/auth/crypto.js';
import { createOrganization } from '../apps/server/dist/modules/organization/bootstrap.js';

export const BENCH_PASSWORD = 'Bench#2026x';
export const BENCH_SLUG = 'bench';

export function sizesFromEnv(env = process.env) {
  const customers = Number(env.KAM_BENCH_CUSTOMERS ?? 1_000_000);
  return {
    customers,
    orders: Number(env.KAM_BENCH_ORDERS ?? customers * 10),
    followUps: Number(env.KAM_BENCH_FOLLOW_UPS ?? customers * 5),
    serviceRecords: Number(env.KAM_BENCH_SERVICE_RECORDS ?? Math.round(customers * 0.3)),
    users: Number(env.KAM_BENCH_USERS ?? 2000),
    mode: env.KAM_BENCH_GEN_MODE === 'plain' ? 'plain' : 'bulk',
  };
}

// --- syllable tables ---------------------------------------------------------------------------

const CITIES = [
  ['北京', '110000', '110100'],
  ['天津', '120000', '120100'],
  ['上海', '310000', '310100'],
  ['重庆', '500000', '500100'],
  ['石家庄', '130000', '130100'],
  ['太原', '140000', '140100'],
  ['沈阳', '210000', '210100'],
  ['大连', '210000', '210200'],
  ['长春', '220000', '220100'],
  ['哈尔滨', '230000', '230100'],
  ['南京', '320000', '320100'],
  ['苏州', '320000', '320500'],
  ['无锡', '320000', '320200'],
  ['杭州', '330000', '330100'],
  ['宁波', '330000', '330200'],
  ['温州', '330000', '330300'],
  ['合肥', '340000', '340100'],
  ['福州', '350000', '350100'],
  ['厦门', '350000', '350200'],
  ['南昌', '360000', '360100'],
  ['济南', '370000', '370100'],
  ['青岛', '370000', '370200'],
  ['郑州', '410000', '410100'],
  ['武汉', '420000', '420100'],
  ['长沙', '430000', '430100'],
  ['广州', '440000', '440100'],
  ['深圳', '440000', '440300'],
  ['东莞', '440000', '441900'],
  ['佛山', '440000', '440600'],
  ['南宁', '450000', '450100'],
  ['海口', '460000', '460100'],
  ['成都', '510000', '510100'],
  ['贵阳', '520000', '520100'],
  ['昆明', '530000', '530100'],
  ['西安', '610000', '610100'],
  ['兰州', '620000', '620100'],
  ['乌鲁木齐', '650000', '650100'],
];
const BRAND_CHARS = [
  ...'华兴盛达信恒泰瑞丰鑫源通联创新科金宏远海天安博德利嘉和正汇隆益佳美众诚鼎荣昌宇光明辉星祥峰'.split(''),
  ...'晨晟启航蓝图云智翔润泽宁康锦程腾飞卓越凯旋百川同舟广厦东方南山北辰'.split(''),
];
// trade word → GB/T 4754 section it usually belongs to
const TRADES = [
  ['科技', 'I'],
  ['贸易', 'F'],
  ['制造', 'C'],
  ['物流', 'G'],
  ['建设', 'E'],
  ['医药', 'C'],
  ['电子', 'C'],
  ['食品', 'C'],
  ['化工', 'C'],
  ['机械', 'C'],
  ['能源', 'D'],
  ['信息技术', 'I'],
  ['文化传媒', 'R'],
  ['环保', 'N'],
  ['新材料', 'C'],
  ['汽车零部件', 'C'],
  ['纺织', 'C'],
  ['农业', 'A'],
  ['投资', 'J'],
  ['咨询', 'L'],
];
// legal forms: [suffix, share in %, part of the normalised name]
const SUFFIXES = [
  ['有限公司', 70, ''],
  ['股份有限公司', 15, ''],
  ['有限责任公司', 10, ''],
  ['集团有限公司', 5, '集团'],
];
// industry sections, skewed like a B2B customer base (weights in %)
const INDUSTRY_WEIGHTS = {
  A: 2,
  B: 1,
  C: 30,
  D: 2,
  E: 8,
  F: 15,
  G: 5,
  H: 1,
  I: 12,
  J: 3,
  K: 3,
  L: 6,
  M: 5,
  N: 1,
  O: 1,
  P: 1,
  Q: 2,
  R: 1,
  S: 0.5,
  T: 0.5,
};
const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈'.split(
    '',
  );
const GIVEN =
  '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉宇浩凯健俊帆晨欣怡佳琪雪梅婷颖'.split('');
const REGIONS = ['华北', '东北', '华东', '华中', '华南', '西南', '西北', '京津', '长三角', '珠三角'];
const SUMMARIES = [
  '拜访采购负责人，介绍新产品方案',
  '电话沟通年度框架协议续签事宜',
  '与技术团队讨论实施细节',
  '客户反馈上季度交付问题，已记录',
  '邀请参加行业展会',
  '微信确认报价单，等待内部审批',
  '商务宴请，关系维护',
  '提交投标文件',
  '回访使用情况，客户满意',
  '跟进回款进度',
];
const SERVICE_TITLES = [
  '发票信息更正',
  '设备故障报修',
  '交付延期投诉',
  '账号开通申请',
  '使用培训咨询',
  '质量问题投诉',
  '退换货申请',
];

/** pinyinKey(word) split into its full and initials parts. */
function py(word) {
  const [full, initials] = pinyinKey(word).split(' ');
  return { full, initials };
}

function tables() {
  for (const [what, list] of [
    ['brand characters', BRAND_CHARS],
    ['cities', CITIES.map((c) => c[0])],
    ['trades', TRADES.map((t) => t[0])],
  ]) {
    if (new Set(list).size !== list.length) throw new Error(`duplicate ${what}: names would not be unique`);
  }
  const col = (rows, f) => rows.map(f);
  const industries = Object.entries(INDUSTRY_WEIGHTS).flatMap(([k, w]) => Array(Math.round(w * 2)).fill(k));
  const suffixes = SUFFIXES.flatMap(([s, w, keep]) => Array(w).fill([s, keep]));
  return {
    city: col(CITIES, (c) => c[0]),
    cityPy: col(CITIES, (c) => py(c[0]).full),
    cityIni: col(CITIES, (c) => py(c[0]).initials),
    province: col(CITIES, (c) => c[1]),
    cityCode: col(CITIES, (c) => c[2]),
    brand: BRAND_CHARS,
    brandPy: col(BRAND_CHARS, (c) => py(c).full),
    brandIni: col(BRAND_CHARS, (c) => py(c).initials),
    trade: col(TRADES, (t) => t[0]),
    tradePy: col(TRADES, (t) => py(t[0]).full),
    tradeIni: col(TRADES, (t) => py(t[0]).initials),
    tradeSection: col(TRADES, (t) => t[1]),
    suffix: col(suffixes, (s) => s[0]),
    suffixKeep: col(suffixes, (s) => s[1]),
    suffixPy: col(suffixes, (s) => py(s[0]).full),
    suffixIni: col(suffixes, (s) => py(s[0]).initials),
    industries,
  };
}

// --- generation --------------------------------------------------------------------------------

const LOADED_TABLES = ['customers', 'customer_team', 'orders', 'payments', 'follow_ups', 'service_records'];

/** Generates the tenant into `db` (migrated). Returns the organisation, timings per step and the bench actors. */
export async function generateTenant(db, sizes = sizesFromEnv(), log = () => {}) {
  const timings = [];
  const step = async (name, rows, fn) => {
    const t = performance.now();
    const result = await fn();
    const ms = performance.now() - t;
    timings.push({ step: name, rows, ms: Math.round(ms) });
    log(`${name}: ${rows ?? ''} ${Math.round(ms)} ms`);
    return result;
  };
  // work_mem: the customers statement aggregates 10M orders and 5M follow-ups by customer (1M
  // groups each) — enough memory that the hash aggregates do not spill, for this load only.
  const tenantTx = (fn, workMem = '256MB') =>
    db.withTenant(org.tenantId, async (tx) => {
      await tx.query(
        `SELECT setseed(0.4242), set_config('work_mem', $1, true), set_config('synchronous_commit', 'off', true)`,
        [workMem],
      );
      return fn(tx);
    });

  const org = await step('organisation', 1, () =>
    createOrganization(db, { slug: BENCH_SLUG, name: '基准测试有限公司', adminPassword: BENCH_PASSWORD }),
  );
  const hash = await hashPassword(BENCH_PASSWORD);
  const t = tables();
  const N = sizes.customers;
  if (N > t.city.length * t.brand.length ** 2 * t.trade.length)
    throw new Error('too many customers for the name tables');

  await step('departments', 101, () =>
    tenantTx(async (tx) => {
      const regions = REGIONS.map((r) => `${r}大区`);
      await tx.query(
        `INSERT INTO departments (tenant_id, id, parent_id, name, name_pinyin, code, path, sort_order)
         SELECT kam_tenant(), id, $1, name, pyk, 'R' || lpad(i::text, 2, '0'), ARRAY[$1::uuid, id], i
         FROM (SELECT gen_random_uuid() AS id, name, pyk, i::int AS i
               FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS r(name, pyk, i)) r`,
        [org.rootDepartmentId, regions, regions.map(pinyinKey)],
      );
      // 9 branches per region, named after cities
      const branchNames = CITIES.slice(0, 9).map((c) => `${c[0]}分部`);
      await tx.query(
        `INSERT INTO departments (tenant_id, id, parent_id, name, name_pinyin, code, path, sort_order)
         SELECT kam_tenant(), x.id, x.rid, x.rname || x.bname, x.rpy || ' ' || x.bpy, x.rcode || 'B' || x.i,
                x.rpath || x.id, x.i
         FROM (SELECT gen_random_uuid() AS id, r.id AS rid, r.name AS rname, r.name_pinyin AS rpy, r.code AS rcode,
                      r.path AS rpath, b.name AS bname, b.pyk AS bpy, b.i::int AS i
               FROM departments r CROSS JOIN unnest($2::text[], $3::text[]) WITH ORDINALITY AS b(name, pyk, i)
               WHERE r.tenant_id = kam_tenant() AND r.parent_id = $1) x`,
        [org.rootDepartmentId, branchNames, branchNames.map(pinyinKey)],
      );
      await tx.query(
        `INSERT INTO departments (tenant_id, id, parent_id, name, name_pinyin, code, path, sort_order)
         SELECT kam_tenant(), id, $1, '客户服务中心', $2, 'SUPPORT', ARRAY[$1::uuid, id], 99
         FROM (SELECT gen_random_uuid() AS id) g`,
        [org.rootDepartmentId, pinyinKey('客户服务中心')],
      );
    }),
  );

  const nSupport = 50;
  const nAm = sizes.users - 10 - 90 - nSupport;
  await step('users', sizes.users, () =>
    tenantTx(async (tx) => {
      // kind, login, department, role: directors (region), heads (branch), support, account managers
      await tx.query(
        `WITH s AS (SELECT $2::text[] AS sur, $3::text[] AS giv),
         regions AS (SELECT id, code, row_number() OVER (ORDER BY code) AS i FROM departments
                     WHERE tenant_id = kam_tenant() AND parent_id = $1 AND code LIKE 'R%'),
         branches AS (SELECT id, code, row_number() OVER (ORDER BY code) AS i FROM departments
                      WHERE tenant_id = kam_tenant() AND code LIKE 'R%B%'),
         support AS (SELECT id FROM departments WHERE tenant_id = kam_tenant() AND code = 'SUPPORT'),
         people AS (
           SELECT 'director' || lpad(i::text, 2, '0') AS login, id AS department_id, 'sales_director' AS role, i::int AS n FROM regions
           UNION ALL
           SELECT 'head' || substr(code, 2, 2) || lpad(substr(code, 5)::text, 2, '0'), id, 'department_head', 100 + i::int FROM branches
           UNION ALL
           SELECT 'support' || lpad(n::text, 3, '0'), (SELECT id FROM support),
                  CASE WHEN n % 2 = 0 THEN 'customer_service' ELSE 'technical_support' END, 1000 + n
           FROM generate_series(1, $5) n
           UNION ALL
           SELECT 'am' || lpad(n::text, 4, '0'), b.id, 'account_manager', 2000 + n
           FROM generate_series(1, $6) n JOIN branches b ON b.i = (n - 1) % 90 + 1
         ),
         named AS (
           SELECT p.*, s.sur[1 + (n * 7) % cardinality(s.sur)] AS c1,
                  s.giv[1 + (n * 13) % cardinality(s.giv)] AS c2,
                  s.giv[1 + (n * 31 + n / 5) % cardinality(s.giv)] AS c3
           FROM people p, s
         ),
         ins AS (
           INSERT INTO users (tenant_id, id, login, display_name, name_pinyin, email, mobile, department_id,
                              password_hash, password_changed_at)
           SELECT kam_tenant(), gen_random_uuid(), login, c1 || c2 || c3, '', login || '@bench.example',
                  '+86138' || lpad(n::text, 8, '0'), department_id, $4, now()
           FROM named
           RETURNING id, login)
         INSERT INTO user_roles (tenant_id, user_id, role_id)
         SELECT kam_tenant(), ins.id, r.id FROM ins JOIN named USING (login)
         JOIN roles r ON r.tenant_id = kam_tenant() AND r.key = named.role`,
        [org.rootDepartmentId, SURNAMES, GIVEN, hash, nSupport, nAm],
      );
      // pinyin keys of the 2,000 names (pinyinKey is JavaScript; a small batch is fine here)
      const { rows } = await tx.query(`SELECT id, display_name FROM users WHERE tenant_id = kam_tenant()`);
      await tx.query(
        `UPDATE users u SET name_pinyin = x.pyk FROM unnest($1::uuid[], $2::text[]) AS x(id, pyk)
         WHERE u.tenant_id = kam_tenant() AND u.id = x.id`,
        [rows.map((r) => r.id), rows.map((r) => pinyinKey(r.display_name))],
      );
      await tx.query(
        `UPDATE departments d SET head_user_id = u.id FROM users u
         WHERE d.tenant_id = kam_tenant() AND u.tenant_id = kam_tenant() AND u.department_id = d.id
           AND (u.login LIKE 'director%' OR u.login LIKE 'head%')`,
      );
    }),
  );

  // Bulk mode: drop secondary indexes and disable triggers of the loaded tables.
  let indexDefs = [];
  if (sizes.mode === 'bulk') {
    indexDefs = await step('drop indexes, disable triggers', null, () =>
      db.withSystem(async (tx) => {
        const { rows } = await tx.query(
          `SELECT ci.relname AS name, pg_get_indexdef(i.indexrelid) AS def
           FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_class ci ON ci.oid = i.indexrelid
           WHERE t.relnamespace = 'public'::regnamespace AND t.relname = ANY($1)
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
           ORDER BY t.relname, ci.relname`,
          [LOADED_TABLES],
        );
        for (const r of rows) await tx.query(`DROP INDEX ${r.name}`);
        for (const table of LOADED_TABLES) await tx.query(`ALTER TABLE ${table} DISABLE TRIGGER ALL`);
        return rows;
      }),
    );
  }

  // Shared SQL pieces. Customer n (1…N) has id md5(tenant ‖ 'c' ‖ n) with the version and variant
  // digits of a version-4 UUID (the API refuses ids that are not RFC 9562 UUIDs: a bare md5 made every
  // generated customer's page answer 400); its owner is account manager number amRank(n) — a skewed
  // draw (low numbers own more customers) that follow-ups can repeat.
  const customerId = (n) =>
    `overlay(overlay(md5(kam_tenant()::text || 'c' || ${n}) placing '4' from 13) placing '8' from 17)::uuid`;
  const amRank = (n) =>
    `(1 + floor(${nAm} * power((${n} * 0.6180339887498949::float8) - floor(${n} * 0.6180339887498949::float8), 1.4)))::int`;
  const pickCustomer = `(1 + floor(${N} * power(random(), 1.5)))::int`; // heavy users: low numbers
  const ams = `am AS (SELECT row_number() OVER (ORDER BY login) AS rank, id, department_id FROM users
                      WHERE tenant_id = kam_tenant() AND login LIKE 'am%')`;
  const support = `sup AS (SELECT array_agg(id ORDER BY login) AS ids FROM users
                           WHERE tenant_id = kam_tenant() AND login LIKE 'support%')`;
  const day = `(now() AT TIME ZONE 'Asia/Shanghai')::date`;

  const loadOrders = () =>
    tenantTx((tx) =>
      tx.query(
        `INSERT INTO orders (tenant_id, id, order_no, customer_id, ordered_at, amount, gross_margin, product_line,
                             status, created_at, updated_at)
         SELECT kam_tenant(), ('00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid,
                'SO' || to_char(d, 'YYYYMMDD') || lpad(i::text, 9, '0'),
                ${customerId('c')}, d, a,
                CASE WHEN random() < 0.7 THEN round(a * (0.08 + random() * 0.3)::numeric, 2) END,
                (ARRAY['软件','硬件','服务','耗材','咨询'])[1 + floor(random() * 5)::int],
                CASE WHEN s < 0.02 THEN 'cancelled' WHEN s < 0.03 THEN 'returned' ELSE 'confirmed' END,
                d + time '10:00', d + time '10:00'
         FROM (SELECT i, ${pickCustomer} AS c, ${day} - floor(random() * 1095)::int AS d,
                      -- log-normal: median ¥20,000, sigma 1.2 (Box–Muller), capped at ¥100 million
                      least(round(exp(ln(20000) + 1.2 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))::numeric, 2),
                            100000000) AS a,
                      random() AS s
               FROM generate_series(1, $1) i) g`,
        [sizes.orders],
      ),
    );
  const loadPayments = () =>
    tenantTx((tx) =>
      tx.query(
        `INSERT INTO payments (tenant_id, id, order_id, customer_id, amount, due_date, paid_at, created_at, updated_at)
         SELECT kam_tenant(), ('00000000-0000-4000-9000-' || lpad(to_hex(row_number() OVER ()), 12, '0'))::uuid,
                o.id, o.customer_id, o.amount, o.ordered_at + 30 * (1 + floor(random() * 3)::int),
                CASE WHEN random() < 0.9 THEN nullif(least(o.ordered_at + floor(random() * 120)::int, ${day} + 1), ${day} + 1) END,
                o.created_at, o.created_at
         FROM orders o
         WHERE o.tenant_id = kam_tenant() AND o.status = 'confirmed' AND o.amount > 0 AND random() < 0.31`,
      ),
    );
  const loadFollowUps = () =>
    tenantTx((tx) =>
      tx.query(
        `WITH ${ams}
         INSERT INTO follow_ups (tenant_id, id, customer_id, type, at, author_id, summary, outcome, next_step,
                                 next_step_date, next_step_owner_id, next_step_done_at, created_at, updated_at)
         SELECT kam_tenant(), ('00000000-0000-4000-a000-' || lpad(to_hex(i), 12, '0'))::uuid,
                ${customerId('g.c')},
                (ARRAY['visit','call','call','meeting','email','wechat','wechat','other'])[1 + floor(random() * 8)::int],
                g.at, am.id, ($2::text[])[1 + floor(random() * cardinality($2::text[]))::int],
                CASE WHEN random() < 0.5 THEN '客户有意向，待报价' END,
                CASE WHEN g.ns THEN '下周再次跟进' END,
                CASE WHEN g.ns THEN (g.at AT TIME ZONE 'Asia/Shanghai')::date + 7 END,
                CASE WHEN g.ns THEN am.id END,
                CASE WHEN g.ns AND g.at < now() - interval '14 days' THEN g.at + interval '7 days' END,
                g.at, g.at
         FROM (SELECT i, ${pickCustomer} AS c, now() - random() * interval '1095 days' AS at, random() < 0.3 AS ns
               FROM generate_series(1, $1) i) g
         JOIN am ON am.rank = ${amRank('g.c')}`,
        [sizes.followUps, SUMMARIES],
      ),
    );
  const loadServiceRecords = () =>
    tenantTx((tx) =>
      tx.query(
        `WITH ${support}
         INSERT INTO service_records (tenant_id, id, customer_id, type, severity, title, opened_at, closed_at,
                                      satisfaction, handler_id, created_at, updated_at)
         SELECT kam_tenant(), ('00000000-0000-4000-b000-' || lpad(to_hex(i), 12, '0'))::uuid, ${customerId('c')},
                t, (ARRAY['low','medium','medium','high','critical'])[1 + floor(random() * 5)::int],
                ($2::text[])[1 + floor(random() * cardinality($2::text[]))::int], opened,
                CASE WHEN closed THEN opened + random() * interval '10 days' END,
                CASE WHEN closed AND random() < 0.8 THEN (CASE WHEN t = 'complaint' THEN 1 + floor(random() * 3) ELSE 3 + floor(random() * 3) END)::smallint END,
                sup.ids[1 + floor(random() * cardinality(sup.ids))::int], opened, opened
         FROM (SELECT i, ${pickCustomer} AS c,
                      CASE WHEN r < 0.10 THEN 'complaint' WHEN r < 0.50 THEN 'question' WHEN r < 0.75 THEN 'incident' ELSE 'request' END AS t,
                      now() - random() * interval '1095 days' AS opened, random() < 0.85 AS closed
               FROM (SELECT i, random() AS r FROM generate_series(1, $1) i) x) g, sup`,
        [sizes.serviceRecords, SERVICE_TITLES],
      ),
    );
  const loadCustomers = () =>
    tenantTx(
      (tx) =>
        tx.query(
          `WITH ${ams},
         o AS (SELECT customer_id,
                 sum(CASE status WHEN 'confirmed' THEN amount WHEN 'returned' THEN -amount ELSE 0 END)
                   FILTER (WHERE ordered_at > ${day} - interval '12 months') AS revenue,
                 count(*) FILTER (WHERE status = 'confirmed' AND ordered_at > ${day} - interval '12 months') AS cnt,
                 max(ordered_at) FILTER (WHERE status = 'confirmed') AS last_at
               FROM orders WHERE tenant_id = kam_tenant() GROUP BY customer_id),
         f AS (SELECT customer_id, max(at) AS last_at FROM follow_ups WHERE tenant_id = kam_tenant() GROUP BY customer_id),
         g AS (
           -- name parts: a bijection of n onto (city, brand 1, brand 2, trade) keeps names unique
           SELECT n, (k % $2)::int AS ci, ((k / $2) % $3)::int AS b1, ((k / ($2 * $3)) % $3)::int AS b2,
                  ((k / ($2 * $3 * $3)) % $4)::int AS tr,
                  1 + floor(random() * cardinality($17::text[]))::int AS sx, random() AS r1, random() AS r2, random() AS r3,
                  random() AS rs, random() AS rd,
                  now() - random() * interval '1460 days' AS created
           FROM (SELECT n, (n::bigint * 1000003) % ($2::bigint * $3 * $3 * $4) AS k FROM generate_series(1, $1) n) x),
         named AS (
           SELECT g.*, ${customerId('g.n')} AS id,
                  ($5::text[])[ci + 1] || ($10::text[])[b1 + 1] || ($10::text[])[b2 + 1] || ($13::text[])[tr + 1] AS stem,
                  ($6::text[])[ci + 1] || ($11::text[])[b1 + 1] || ($11::text[])[b2 + 1] || ($14::text[])[tr + 1] AS stem_py,
                  ($7::text[])[ci + 1] || ($12::text[])[b1 + 1] || ($12::text[])[b2 + 1] || ($15::text[])[tr + 1] AS stem_ini
           FROM g)
         INSERT INTO customers (tenant_id, id, name, name_norm, name_pinyin, credit_code, industry, province_code,
                                city_code, size_band, source, website, address, tags, status, owner_id, department_id,
                                last_follow_up_at, revenue_12m, orders_12m, last_order_at, deleted_at, created_by,
                                updated_by, created_at, updated_at)
         SELECT kam_tenant(), nm.id,
                stem || ($17::text[])[sx],
                lower(stem || ($18::text[])[sx]),
                stem_py || ($19::text[])[sx] || ' ' || stem_ini || ($20::text[])[sx],
                CASE WHEN r1 < 0.6 THEN cc.code17 || substr('0123456789ABCDEFGHJKLMNPQRTUWXY', cc.chk::int + 1, 1) END,
                CASE WHEN r2 < 0.5 THEN ($16::text[])[tr + 1]
                     ELSE ($21::text[])[1 + floor(random() * cardinality($21::text[]))::int] END,
                ($8::text[])[ci + 1], ($9::text[])[ci + 1],
                (ARRAY['micro','small','small','medium','medium','large','enterprise'])[1 + floor(random() * 7)::int],
                (ARRAY['referral','exhibition','website','cold_call','partner','event','other'])[1 + floor(random() * 7)::int],
                CASE WHEN random() < 0.4 THEN 'https://www.c' || n || '.example.cn' END,
                ($5::text[])[ci + 1] || '市' || (ARRAY['高新区','经开区','中心区','新区'])[1 + n % 4] || (1 + n % 300) || '号',
                CASE WHEN r3 < 0.5 THEN '{}'::text[]
                     WHEN r3 < 0.8 THEN ARRAY[(ARRAY['重点','战略','VIP','新签','续约','风险','政府','外资'])[1 + n % 8]]
                     ELSE ARRAY[(ARRAY['重点','战略','VIP','新签'])[1 + n % 4], (ARRAY['续约','风险','政府','外资'])[1 + (n / 4) % 4]] END,
                CASE WHEN rs < 0.5 THEN 'active' WHEN rs < 0.75 THEN 'prospect' WHEN rs < 0.9 THEN 'dormant' ELSE 'lost' END,
                am.id, am.department_id,
                f.last_at, coalesce(o.revenue, 0), coalesce(o.cnt, 0), o.last_at,
                CASE WHEN rd < 0.005 THEN created + interval '200 days' END,
                am.id, am.id, created, created + random() * interval '200 days'
         FROM named nm
         JOIN am ON am.rank = ${amRank('nm.n')}
         CROSS JOIN LATERAL (
           SELECT code17, (31 - (SELECT sum(substr(code17, i::int, 1)::int * w) FROM unnest(
                    ARRAY[1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]) WITH ORDINALITY AS x(w, i)) % 31) % 31 AS chk
           FROM (SELECT '91' || ($9::text[])[ci + 1] || lpad(((n::bigint * 7919) % 1000000000)::text, 9, '0') AS code17) c
         ) cc
         LEFT JOIN o ON o.customer_id = nm.id
         LEFT JOIN f ON f.customer_id = nm.id`,
          [
            N,
            t.city.length,
            t.brand.length,
            t.trade.length,
            t.city,
            t.cityPy,
            t.cityIni,
            t.province,
            t.cityCode,
            t.brand,
            t.brandPy,
            t.brandIni,
            t.trade,
            t.tradePy,
            t.tradeIni,
            t.tradeSection,
            t.suffix,
            t.suffixKeep,
            t.suffixPy,
            t.suffixIni,
            t.industries,
          ],
        ),
      '1GB',
    );
  const loadTeam = () =>
    tenantTx(async (tx) => {
      const owners = await tx.query(
        `INSERT INTO customer_team (tenant_id, customer_id, user_id, team_role, access, added_by, added_at)
         SELECT kam_tenant(), id, owner_id, 'owner', 'read_write', owner_id, created_at
         FROM customers WHERE tenant_id = kam_tenant()`,
      );
      const extra = await tx.query(
        `WITH ${support}
         INSERT INTO customer_team (tenant_id, customer_id, user_id, team_role, access, added_by, added_at)
         SELECT kam_tenant(), c.id, sup.ids[1 + floor(random() * cardinality(sup.ids))::int],
                (ARRAY['customer_service','technical_support','delivery'])[1 + floor(random() * 3)::int],
                CASE WHEN random() < 0.3 THEN 'read_write' ELSE 'read' END, c.owner_id, c.created_at
         FROM customers c, sup WHERE c.tenant_id = kam_tenant() AND random() < 0.05`,
      );
      return owners.rowCount + extra.rowCount;
    });

  const rowsOf = (r) => r.rowCount;
  try {
    if (sizes.mode === 'plain') {
      // customers first (foreign keys and triggers active), then their records
      await step('customers', N, () => loadCustomers().then(rowsOf));
      await step('customer_team', null, loadTeam);
      await step('orders', sizes.orders, loadOrders);
      await step('payments', null, () => loadPayments().then(rowsOf));
      await step('follow_ups', sizes.followUps, loadFollowUps);
      await step('service_records', sizes.serviceRecords, loadServiceRecords);
    } else {
      await step('orders', sizes.orders, loadOrders);
      const payments = await step('payments', null, () => loadPayments().then(rowsOf));
      timings.at(-1).rows = payments;
      await step('follow_ups', sizes.followUps, loadFollowUps);
      await step('service_records', sizes.serviceRecords, loadServiceRecords);
      await step('customers (with aggregates)', N, loadCustomers);
      const team = await step('customer_team', null, loadTeam);
      timings.at(-1).rows = team;
    }
  } finally {
    if (sizes.mode === 'bulk') {
      await db.withSystem(async (tx) => {
        for (const table of LOADED_TABLES) await tx.query(`ALTER TABLE ${table} ENABLE TRIGGER ALL`);
      });
    }
  }
  if (sizes.mode === 'bulk') {
    for (const ix of indexDefs) {
      await step(`index ${ix.name}`, null, () =>
        db.withSystem(async (tx) => {
          await tx.query(`SET LOCAL maintenance_work_mem = '512MB'`);
          await tx.query(ix.def);
        }),
      );
    }
  }
  await step('vacuum analyze', null, async () => {
    for (const table of [...LOADED_TABLES, 'users', 'departments', 'user_roles']) {
      await db.pool.query(`VACUUM (ANALYZE) ${table}`);
    }
  });
  return { org, timings, actors: await benchActors(db, org.tenantId) };
}

/**
 * The users the benches act as: the director of region 01, the head of its first branch, and the
 * account manager of that branch with the most customers; plus a support user and the subtree /
 * branch ids the filters use.
 */
export async function benchActors(db, tenantId) {
  return db.withTenant(tenantId, async (tx) => {
    const { rows } = await tx.query(
      `SELECT u.login, u.id, u.department_id FROM users u
       WHERE u.tenant_id = kam_tenant() AND u.login IN ('director01', 'head0101', 'support001')`,
    );
    const by = Object.fromEntries(rows.map((r) => [r.login, r]));
    const head = by.head0101;
    const am = await tx.query(
      `SELECT u.login, u.id, u.department_id, count(*)::int AS customers
       FROM customers c JOIN users u ON u.tenant_id = c.tenant_id AND u.id = c.owner_id
       WHERE c.tenant_id = kam_tenant() AND c.department_id = $1 AND c.deleted_at IS NULL
       GROUP BY u.login, u.id, u.department_id ORDER BY count(*) DESC, u.login LIMIT 1`,
      [head.department_id],
    );
    const second = await tx.query(
      `SELECT id FROM departments WHERE tenant_id = kam_tenant() AND parent_id = $1 ORDER BY code OFFSET 1 LIMIT 1`,
      [by.director01.department_id],
    );
    return {
      director: by.director01,
      head,
      am: am.rows[0],
      support: by.support001,
      regionId: by.director01.department_id,
      branchId: head.department_id,
      otherBranchId: second.rows[0].id,
    };
  });
}

/** Row counts of the generated tables (for the report). */
export async function tenantCounts(db, tenantId) {
  return db.withTenant(tenantId, async (tx) => {
    const { rows } = await tx.query(
      `SELECT (SELECT count(*) FROM departments)::int AS departments, (SELECT count(*) FROM users)::int AS users,
              (SELECT count(*) FROM customers)::int AS customers, (SELECT count(*) FROM customer_team)::int AS customer_team,
              (SELECT count(*) FROM orders)::int AS orders, (SELECT count(*) FROM payments)::int AS payments,
              (SELECT count(*) FROM follow_ups)::int AS follow_ups, (SELECT count(*) FROM service_records)::int AS service_records`,
    );
    return rows[0];
  });
}

// Standalone: KAM_BENCH_DATABASE_URL=… KAM_BENCH_CUSTOMERS=10000 node bench/generate-tenant.mjs
if (import.meta.url === `file://${process.argv[1]}`) {
  const { openBenchDatabase } = await import('./lib.mjs');
  const { migrate } = await import('../apps/server/dist/db/migrate.js');
  const sizes = sizesFromEnv();
  const { db, drop, name } = await openBenchDatabase({
    keep: process.env.KAM_BENCH_KEEP === '1' ? `kam_bench_keep_gen_${sizes.customers}` : undefined,
  });
  try {
    await migrate(db);
    const t = performance.now();
    const { org, timings } = await generateTenant(db, sizes, (s) => console.log(s));
    console.log(`total ${((performance.now() - t) / 1000).toFixed(1)} s in ${name}`);
    console.log(await tenantCounts(db, org.tenantId));
    console.log(timings.length);
  } finally {
    await db.close();
    await drop();
  }
}
