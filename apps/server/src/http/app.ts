import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { installGuard } from '../access/guard.js';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { JobQueue } from '../jobs/queue.js';
import { writeAudit } from '../modules/audit/writer.js';
import { registerModules } from '../modules/index.js';
import { AppError, errorBody, type FieldError, isErrorCode } from './errors.js';

export interface AppDeps {
  config: Pick<Config, 'trustProxy' | 'cookieSecure' | 'loginRateLimit' | 'logLevel'>;
  db: Database;
  jobs: JobQueue;
  clock?: () => Date;
  /** Serve the built web UI (apps/web/dist) when present. Default true. */
  serveWeb?: boolean;
}

const WEB_DIST = fileURLToPath(new URL('../../../web/dist/', import.meta.url));
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const clock = deps.clock ?? (() => new Date());
  const app = Fastify({
    logger: deps.config.logLevel === 'silent' ? false : { level: deps.config.logLevel },
    trustProxy: deps.config.trustProxy,
    bodyLimit: 1024 * 1024,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate('deps', deps);

  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
    if (req.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
  });

  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
    hsts: false, // set by the TLS-terminating proxy, which knows whether HTTPS is in use
  });
  await app.register(fastifyCookie);
  await app.register(fastifyRateLimit, {
    global: false,
    errorResponseBuilder: () => new AppError('RATE_LIMITED'),
  });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'KAM API',
        version: '1',
        description:
          'KAM key-account management REST API. Authenticate with a session cookie (browser, plus the `X-CSRF-Token` header on changes) or an API token: `Authorization: Bearer <token>`. Errors: `{ "error": { "code", "message", "details" } }`; send `Accept-Language: en` for English messages (zh-CN by default).',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'kam_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' });

  installGuard(app, deps.db, clock);

  app.setErrorHandler(async (err: FastifyError | AppError, req, reply) => {
    const locale = req.locale ?? 'zh-CN';
    if (err instanceof AppError) {
      if (req.actor && (err.denial || err.status === 403)) {
        const actor = req.actor;
        await deps.db
          .withTenant(actor.tenantId, (tx) =>
            writeAudit(
              tx,
              {
                tenantId: actor.tenantId,
                actorId: actor.userId,
                actorName: actor.displayName,
                ip: req.ip,
                userAgent: req.headers['user-agent'] ?? null,
                requestId: String(req.id),
              },
              {
                action: 'authz.denied',
                result: 'failure',
                entityType: err.denial?.entityType ?? null,
                entityId: err.denial?.entityId ?? null,
                details: {
                  code: err.code,
                  method: req.method,
                  route: req.routeOptions.url ?? req.url,
                  ...err.denial,
                },
              },
            ),
          )
          .catch((e) => req.log.error(e, 'could not record authz.denied'));
      }
      return reply.status(err.status).send(errorBody(err.code, locale, err.params, err.details));
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const context = err.validationContext ?? 'body';
      const fields = err.validation.flatMap((v) => validationFields(context, v));
      return reply.status(400).send(errorBody('VALIDATION_FAILED', locale, {}, { fields }));
    }
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.status(413).send(errorBody('PAYLOAD_TOO_LARGE', locale));
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      return reply.status(400).send(errorBody('VALIDATION_FAILED', locale, {}, { fields: [] }));
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.status(400).send(errorBody('VALIDATION_FAILED', locale, {}, { fields: [] }));
    }
    req.log.error(err);
    return reply.status(500).send(errorBody('INTERNAL', locale));
  });

  const serveWeb = deps.serveWeb !== false && existsSync(WEB_DIST);
  app.setNotFoundHandler(async (req, reply) => {
    // The UI is a single-page app: any other GET path is one of its routes.
    if (req.url.startsWith('/api/') || !serveWeb || req.method !== 'GET') {
      return reply.status(404).send(errorBody('NOT_FOUND', requestLocaleOf(req.headers['accept-language'])));
    }
    return reply.type('text/html').sendFile('index.html');
  });

  await registerModules(app);

  if (serveWeb) {
    await app.register(fastifyStatic, { root: WEB_DIST, prefix: '/', wildcard: false });
  }
  return app;
}

interface ZodIssueLike {
  keyword: string;
  instancePath: string;
  message: string;
  params: Record<string, unknown>;
}

/** One zod issue → field errors with stable codes (the message is filled in by errorBody). */
function validationFields(context: string, v: ZodIssueLike): FieldError[] {
  const base = [context, ...v.instancePath.split('/').filter(Boolean)].join('.');
  const p = v.params;
  if (v.keyword === 'unrecognized_keys') {
    return ((p.keys as string[] | undefined) ?? []).map((name) => ({
      path: `${base}.${name}`,
      code: 'UNKNOWN_PROPERTY',
      message: '',
      params: { name },
    }));
  }
  if (isErrorCode(v.message)) {
    // zod enum issues carry their options as `values`; ENUM_INVALID messages name them as {allowed}.
    const params = Array.isArray(p.values) ? { ...p, allowed: p.values.join(', ') } : p;
    return [{ path: base, code: v.message, message: '', params: params as Record<string, number> }];
  }
  if (v.keyword === 'invalid_type' && /received undefined/.test(v.message))
    return [{ path: base, code: 'REQUIRED', message: '' }];
  if (v.keyword === 'too_small' && p.origin === 'string' && Number(p.minimum) === 1) {
    return [{ path: base, code: 'REQUIRED', message: '' }];
  }
  if (v.keyword === 'too_big' && p.origin === 'string') {
    return [{ path: base, code: 'TOO_LONG', message: '', params: { max: Number(p.maximum) } }];
  }
  if (v.keyword === 'too_small' || v.keyword === 'too_big')
    return [{ path: base, code: 'OUT_OF_RANGE', message: '' }];
  return [{ path: base, code: 'INVALID_VALUE', message: '' }];
}

function requestLocaleOf(header: string | string[] | undefined) {
  return String(header ?? '').startsWith('en') ? 'en' : 'zh-CN';
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps;
  }
}
