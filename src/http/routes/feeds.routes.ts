/**
 * The feeds' single-record API (docs/DESIGN.md §5) and the community response tasks.
 * Who may send what: carrier devices send pings and trips; the identity registry, health lists
 * (key populations), vaccinations and bulk declarations come from department devices (`peer`)
 * or administrators. Officers work the response tasks of their own region only.
 */
import { Type } from '@sinclair/typebox';
import type { App } from '../app.ts';
import { TASK_STATES } from '../../domain/feeds/response-task.ts';
import type { AppContext } from '../../roles/context.ts';
import type { FeedName } from '../../services/feeds/feed-types.ts';
import type { IngestService } from '../../services/feeds/ingest.service.ts';
import type { ResponseTaskService } from '../../services/feeds/response-task.service.ts';
import { actorOf, staffOf, type RouteRole } from '../auth.ts';
import { errors } from '../schemas.ts';
import { declarationRoutes } from './declarations.routes.ts';

/** Roles allowed to push each feed. */
export const FEED_ROLES: Record<FeedName, readonly RouteRole[]> = {
  persons: ['admin', 'peer'],
  declarations: ['admin', 'peer'],
  pings: ['carrier'],
  trips: ['carrier', 'peer', 'admin'],
  'key-population': ['admin', 'peer'],
  vaccinations: ['admin', 'peer'],
};

const FEED_TEXT: Record<FeedName, string> = {
  persons: '户籍人口 Identity registry record',
  declarations: '自主申报 Self-declaration (bulk source)',
  pings: '信令位置 Carrier pings (one block message)',
  trips: '铁路航班行程 Rail, flight or road trip',
  'key-population': '重点人群 Key-population list record (entry, change, release)',
  vaccinations: '疫苗接种 Vaccination',
};

const RowErrorSchema = Type.Object({
  line: Type.Integer(),
  field: Type.String(),
  code: Type.String(),
  group: Type.String(),
  message: Type.String(),
  sourceId: Type.Optional(Type.String()),
});

const TaskSchema = Type.Object({
  id: Type.Integer(),
  personId: Type.Integer(),
  regionCode: Type.String(),
  list: Type.String(),
  category: Type.String(),
  tier: Type.String(),
  state: Type.String(),
  note: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  updatedBy: Type.Union([Type.String(), Type.Null()]),
});

/** The feeds' routes over the services roles/feeds.feature.ts builds. */
export function feedRoutes(
  app: App,
  ctx: AppContext,
  { ingest, tasks }: { ingest: IngestService; tasks: ResponseTaskService },
): void {
  for (const feed of Object.keys(FEED_ROLES) as FeedName[]) {
    app.post(
      `/v1/feeds/${feed}`,
      {
        config: { auth: FEED_ROLES[feed] },
        schema: {
          tags: ['feeds'],
          summary: `${FEED_TEXT[feed]} — one record (schema: docs/feeds/${feed}.schema.json)`,
          body: Type.Object({}, { additionalProperties: true }),
          response: {
            201: Type.Object({
              status: Type.Literal('accepted'),
              accepted: Type.Integer(),
              duplicates: Type.Integer(),
            }),
            200: Type.Object({
              status: Type.Literal('duplicate'),
              accepted: Type.Integer(),
              duplicates: Type.Integer(),
            }),
            ...errors(400, 401, 403, 422),
          },
        },
      },
      async (req, reply) => {
        const r = await ingest.one(feed, req.body);
        return reply.status(r.status === 'accepted' ? 201 : 200).send(r);
      },
    );
    app.post(
      `/v1/feeds/${feed}/batch`,
      {
        // bad values in a record are that record's row error (input-guard.ts); good rows are kept
        config: { auth: FEED_ROLES[feed], rows: 'records' },
        schema: {
          tags: ['feeds'],
          summary: `${FEED_TEXT[feed]} — up to 1000 records; good ones kept, bad ones reported`,
          body: Type.Object({
            records: Type.Array(Type.Object({}, { additionalProperties: true }), {
              minItems: 1,
              maxItems: 1000,
            }),
          }),
          response: {
            200: Type.Object({
              accepted: Type.Integer(),
              duplicates: Type.Integer(),
              rejected: Type.Integer(),
              errors: Type.Array(RowErrorSchema),
            }),
            ...errors(400, 401, 403),
          },
        },
      },
      async (req) => {
        const records = req.body.records;
        const r =
          feed === 'pings'
            ? await ingest.ingestRecord('pings', {
                source_id: `batch:${JSON.stringify(records)}`,
                pings: records,
              })
            : await ingest.ingest(
                feed,
                records.map((record, i) => ({ line: i + 1, record })),
              );
        return {
          accepted: r.accepted,
          duplicates: r.duplicates,
          rejected: r.errors.length,
          errors: r.errors,
        };
      },
    );
  }

  app.get(
    '/v1/response-tasks',
    {
      config: { auth: ['officer', 'admin'] },
      schema: {
        tags: ['officer'],
        summary: '社区响应任务 Community response tasks in my region, newest first',
        querystring: Type.Object({
          state: Type.Optional(Type.Union(TASK_STATES.map((s) => Type.Literal(s)))),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
          before: Type.Optional(Type.Integer({ minimum: 1 })),
        }),
        response: { 200: Type.Object({ tasks: Type.Array(TaskSchema) }), ...errors(400, 401, 403) },
      },
    },
    async (req) => {
      const q = req.query;
      const staff = staffOf(req);
      const list = await tasks.list(staff.regionPrefix, {
        ...(q.state ? { state: q.state } : {}),
        ...(q.limit ? { limit: q.limit } : {}),
        ...(q.before ? { beforeId: q.before } : {}),
      });
      return { tasks: list };
    },
  );

  app.patch(
    '/v1/response-tasks/:id',
    {
      config: { auth: ['officer', 'admin'] },
      schema: {
        tags: ['officer'],
        summary: '更新响应任务 Move a task forward: open → contacted → tested → closed (audited)',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        body: Type.Object(
          {
            state: Type.Union(TASK_STATES.map((s) => Type.Literal(s))),
            note: Type.Optional(Type.String({ maxLength: 500 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: TaskSchema, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req) => {
      const b = req.body;
      return tasks.move(req.params.id, b.state, staffOf(req).regionPrefix, actorOf(req), b.note);
    },
  );

  declarationRoutes(app, ctx, ingest);
}
