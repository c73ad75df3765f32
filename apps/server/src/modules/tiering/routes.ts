import { zDate, zMoney } from '@kam/domain';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { page, zId, zIdParams, zPageQuery, zVersion, zVersionQuery } from '../../http/schemas.js';
import {
  MIGRATION_INTERVALS,
  MODEL_KINDS,
  RUN_KINDS,
  RUN_STATUSES,
  TEMPLATES,
  zCustomerTiering,
  zDefinition,
  zDistribution,
  zHistoryEntry,
  zManualMetric,
  zManualMetricsBody,
  zMetric,
  zModelDetail,
  zModelSummary,
  zRun,
  zRunDetail,
  zSchedule,
  zSettings,
  zTierDistribution,
  zTierMigrations,
} from './schemas.js';
import {
  createFromTemplate,
  createModel,
  customerTierHistory,
  customerTiering,
  getManualMetrics,
  getModel,
  getRun,
  getSettings,
  listMetrics,
  listModels,
  listRuns,
  metricDistribution,
  modelDistribution,
  modelMigrations,
  publishModel,
  putSettings,
  revokeOverride,
  saveDraft,
  setManualMetrics,
  startRun,
} from './service.js';

const tags = ['tiering'];
const zName = z.string().trim().min(1).max(100);
const zDescription = z.string().trim().max(2000).nullable();

/** Scientific tiering (科学分级): models, runs, simulations, settings, and one customer's tier. */
export const tieringRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/tiering/metrics',
    {
      config: { permission: 'tiering.view' },
      schema: {
        tags,
        summary: 'The metric catalogue models may use (with definitions in docs/tiering.md)',
        response: { 200: z.object({ items: z.array(zMetric) }) },
      },
    },
    async () => listMetrics(),
  );

  app.get(
    '/tiering/metric-distribution',
    {
      config: { permission: 'tiering.configure' },
      schema: {
        tags,
        summary:
          'How a metric is distributed over the customers today (histogram, breakpoints or category counts)',
        querystring: z.strictObject({
          metric: z.string().min(1).max(64),
          bins: z.coerce.number().int().min(1).max(100).default(20),
        }),
        response: { 200: zDistribution },
      },
    },
    async (req) => metricDistribution(req.ctx, req.query),
  );

  app.get(
    '/tiering/models',
    {
      config: { permission: 'tiering.view' },
      schema: {
        tags,
        summary: 'Tier models by name',
        querystring: z.strictObject({ ...zPageQuery, kind: z.enum(MODEL_KINDS).optional() }),
        response: { 200: page(zModelSummary) },
      },
    },
    async (req) => listModels(req.ctx, req.query),
  );

  app.post(
    '/tiering/models',
    {
      config: { permission: 'tiering.configure' },
      schema: {
        tags,
        summary: 'Create a model; its definition is the first draft',
        body: z.strictObject({
          name: zName,
          description: zDescription.optional(),
          definition: zDefinition,
          schedule: zSchedule.optional().describe('default daily'),
        }),
        response: { 201: zModelDetail },
      },
    },
    async (req, reply) => reply.status(201).send(await createModel(req.ctx, req.body)),
  );

  app.post(
    '/tiering/models/from-template',
    {
      config: { permission: 'tiering.configure' },
      schema: {
        tags,
        summary: 'Create a model from a ready template (B2B criteria, weighted A–D, RFM)',
        body: z.strictObject({ template: z.enum(TEMPLATES), name: zName.optional() }),
        response: { 201: zModelDetail },
      },
    },
    async (req, reply) => reply.status(201).send(await createFromTemplate(req.ctx, req.body)),
  );

  app.get(
    '/tiering/models/:id',
    {
      config: { permission: 'tiering.view' },
      schema: {
        tags,
        summary: 'A model: its draft, published version and version list',
        params: zIdParams,
        response: { 200: zModelDetail },
      },
    },
    async (req) => getModel(req.ctx, req.params.id),
  );

  app.put(
    '/tiering/models/:id/draft',
    {
      config: { permission: 'tiering.configure' },
      schema: {
        tags,
        summary: 'Edit the draft (and name, description, schedule); published versions never change',
        params: zIdParams,
        body: z.strictObject({
          version: zVersion,
          name: zName.optional(),
          description: zDescription.optional(),
          definition: zDefinition.optional(),
          schedule: zSchedule.optional(),
        }),
        response: { 200: zModelDetail },
      },
    },
    async (req) => saveDraft(req.ctx, req.params.id, req.body),
  );

  app.post(
    '/tiering/models/:id/publish',
    {
      config: { permission: 'tiering.configure' },
      schema: {
        tags,
        summary: 'Publish the draft as the next immutable version',
        params: zIdParams,
        body: z.strictObject({ version: zVersion, note: z.string().trim().max(500).nullable().optional() }),
        response: { 200: zModelDetail },
      },
    },
    async (req) => publishModel(req.ctx, req.params.id, req.body),
  );

  app.get(
    '/tiering/models/:id/distribution',
    {
      config: { permission: 'tiering.view' },
      schema: {
        tags,
        summary: 'How many customers hold each tier of the model now (tenant-wide counts)',
        params: zIdParams,
        response: { 200: zTierDistribution },
      },
    },
    async (req) => modelDistribution(req.ctx, req.params.id),
  );

  app.get(
    '/tiering/models/:id/migrations',
    {
      config: { permission: 'tiering.view' },
      schema: {
        tags,
        summary: 'Tier changes per period, from-tier and to-tier (tenant-wide counts)',
        params: zIdParams,
        querystring: z.strictObject({
          from: zDate.optional().describe('default: 11 periods before `to`'),
          to: zDate.optional().describe('default: today (Asia/Shanghai)'),
          interval: z.enum(MIGRATION_INTERVALS).default('month'),
        }),
        response: { 200: zTierMigrations },
      },
    },
    async (req) => modelMigrations(req.ctx, req.params.id, req.query),
  );

  app.post(
    '/tiering/models/:id/runs',
    {
      config: { permission: 'tiering.create' },
      schema: {
        tags,
        summary: 'Start a full run of the published version (in the background; poll the run)',
        params: zIdParams,
        response: { 202: zRunDetail },
      },
    },
    async (req, reply) =>
      reply.status(202).send(await startRun(req.ctx, app.deps.jobs, req.params.id, 'full')),
  );

  app.post(
    '/tiering/models/:id/simulations',
    {
      config: { permission: 'tiering.create' },
      schema: {
        tags,
        summary:
          'Simulate the draft against today’s data: migration matrix, distributions, samples (writes no tiers)',
        params: zIdParams,
        response: { 202: zRunDetail },
      },
    },
    async (req, reply) =>
      reply.status(202).send(await startRun(req.ctx, app.deps.jobs, req.params.id, 'simulation')),
  );

  app.get(
    '/tiering/runs',
    {
      config: { permission: 'tiering.view' },
      schema: {
        tags,
        summary: 'Runs, newest first',
        querystring: z.strictObject({
          ...zPageQuery,
          modelId: zId.optional(),
          kind: z.enum(RUN_KINDS).optional(),
          status: z.enum(RUN_STATUSES).optional(),
        }),
        response: { 200: page(zRun) },
      },
    },
    async (req) => listRuns(req.ctx, req.query),
  );

  app.get(
    '/tiering/runs/:id',
    {
      config: { permission: 'tiering.view' },
      schema: {
        tags,
        summary: 'A run with its progress, statistics and (simulations) result',
        params: zIdParams,
        response: { 200: zRunDetail },
      },
    },
    async (req) => getRun(req.ctx, req.params.id),
  );

  app.get(
    '/tiering/settings',
    {
      config: { permission: 'tiering.view' },
      schema: { tags, summary: 'The tier of record and trigger settings', response: { 200: zSettings } },
    },
    async (req) => getSettings(req.ctx),
  );

  app.put(
    '/tiering/settings',
    {
      config: { permission: 'tiering.configure' },
      schema: {
        tags,
        summary: 'Choose the tier of record and the order amount that triggers a re-score',
        body: z.strictObject({ version: zVersion, recordModelId: zId.nullable(), largeOrderAmount: zMoney }),
        response: { 200: zSettings },
      },
    },
    async (req) => putSettings(req.ctx, req.body),
  );

  app.get(
    '/customers/:id/tiering',
    {
      config: { permission: 'tiering.view' },
      schema: {
        tags,
        summary: 'Why this customer has its tier: every model’s latest result with breakdown and rules',
        params: zIdParams,
        response: { 200: zCustomerTiering },
      },
    },
    async (req) => customerTiering(req.ctx, req.params.id),
  );

  app.get(
    '/customers/:id/tier-history',
    {
      config: { permission: 'tiering.view' },
      schema: {
        tags,
        summary: 'Tier changes of a customer, newest first',
        params: zIdParams,
        querystring: z.strictObject({ ...zPageQuery, modelId: zId.optional() }),
        response: { 200: page(zHistoryEntry) },
      },
    },
    async (req) => customerTierHistory(req.ctx, req.params.id, req.query),
  );

  app.get(
    '/customers/:id/manual-metrics',
    {
      config: { permission: 'customer.view' },
      schema: {
        tags,
        summary: 'Manually maintained metrics of a customer, with who set them and when',
        params: zIdParams,
        response: { 200: z.object({ items: z.array(zManualMetric) }) },
      },
    },
    async (req) => getManualMetrics(req.ctx, req.params.id),
  );

  app.patch(
    '/customers/:id/manual-metrics',
    {
      config: { permission: 'customer.edit' },
      schema: {
        tags,
        summary: 'Set or clear manual metrics (strategic value 1–5, industry influence, growth potential)',
        params: zIdParams,
        body: zManualMetricsBody,
        response: { 200: z.object({ items: z.array(zManualMetric) }) },
      },
    },
    async (req) => setManualMetrics(req.ctx, app.deps.jobs, req.params.id, req.body),
  );

  app.delete(
    '/tier-overrides/:id',
    {
      config: { permission: 'tiering.configure' },
      schema: {
        tags,
        summary: 'Revoke a manual tier before its end date; the model tier resumes',
        params: zIdParams,
        querystring: zVersionQuery,
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await revokeOverride(req.ctx, req.params.id, req.query.version);
      return reply.status(204).send(null);
    },
  );
};
