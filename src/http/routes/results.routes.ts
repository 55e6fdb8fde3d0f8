/**
 * Resident pages fed by the intermediate store (my results, my bookings, my vaccinations) and the
 * health authority's vaccination records. Nothing here reaches the testing service.
 */
import { Type } from '@sinclair/typebox';
import type { App } from '../app.ts';
import type { ResultsService } from '../../services/results/results.service.ts';
import { regionScope } from '../../domain/regions.ts';
import { actorOf, residentId } from '../auth.ts';
import { errors } from '../schemas.ts';

const ResultSchema = Type.Object({
  result: Type.String(),
  pooled: Type.Boolean(),
  collectedAt: Type.String(),
  reportedAt: Type.String(),
  retestOrdered: Type.Boolean(),
  lab: Type.String(),
  tube: Type.String(),
  version: Type.Integer(),
});

/** The results routes over the service roles/results.feature.ts builds. */
export function resultsRoutes(app: App, svc: ResultsService): void {
  const tags = ['resident'];

  app.get(
    '/v1/me/results',
    {
      config: { auth: ['resident'] },
      schema: {
        tags,
        summary: '我的核酸结果 My test results (latest first) and how fresh they are ("as of")',
        response: {
          200: Type.Object({
            latest: Type.Union([ResultSchema, Type.Null()]),
            results: Type.Array(ResultSchema),
            asOf: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors(401, 403),
        },
      },
    },
    async (req) => svc.results(residentId(req)),
  );

  app.get(
    '/v1/me/bookings',
    {
      config: { auth: ['resident'] },
      schema: {
        tags,
        summary: '我的核酸预约 My testing bookings',
        response: {
          200: Type.Array(
            Type.Object({
              id: Type.Integer(),
              siteName: Type.String(),
              siteAddress: Type.String(),
              startsAt: Type.String(),
              endsAt: Type.String(),
              status: Type.String(),
              updatedAt: Type.String(),
            }),
          ),
          ...errors(401, 403),
        },
      },
    },
    async (req) => svc.bookings(residentId(req)),
  );

  app.get(
    '/v1/me/vaccinations',
    {
      config: { auth: ['resident'] },
      schema: {
        tags,
        summary: '我的疫苗接种 My vaccinations',
        response: {
          200: Type.Object({
            doses: Type.Integer(),
            records: Type.Array(
              Type.Object({
                dose: Type.Integer(),
                product: Type.String(),
                date: Type.String(),
                site: Type.String(),
              }),
            ),
          }),
          ...errors(401, 403),
        },
      },
    },
    async (req) => svc.vaccinations(residentId(req)),
  );

  app.get(
    '/v1/admin/intermediate-store',
    {
      config: { auth: ['officer', 'admin'] },
      schema: {
        tags: ['admin'],
        summary:
          '中间库状态 Intermediate store: last heard from the testing service, counts, unmatched members',
        response: {
          200: Type.Object({
            asOf: Type.Union([Type.String(), Type.Null()]),
            upstreamAt: Type.Union([Type.String(), Type.Null()]),
            silentSeconds: Type.Union([Type.Integer(), Type.Null()]),
            results: Type.Integer(),
            positives: Type.Integer(),
            members: Type.Integer(),
            unmatchedMembers: Type.Integer(),
          }),
          ...errors(401, 403),
        },
      },
    },
    async () => svc.storeStatus(),
  );

  app.post(
    '/v1/health/vaccinations',
    {
      config: { auth: ['officer', 'admin', 'tester'] },
      schema: {
        tags: ['health authority'],
        summary: '疫苗接种记录 Record vaccinations (rows checked one by one; re-sending changes nothing)',
        body: Type.Object({
          records: Type.Array(
            Type.Object({
              docType: Type.Integer(),
              docNumber: Type.String({ maxLength: 40 }),
              product: Type.String({ minLength: 1, maxLength: 100 }),
              dose: Type.Integer({ minimum: 1, maximum: 10 }),
              date: Type.String({ minLength: 10, maxLength: 40 }),
              site: Type.String({ maxLength: 200 }),
              recordId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            }),
            { minItems: 1, maxItems: 1000 },
          ),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                index: Type.Integer(),
                status: Type.String(),
                code: Type.Optional(Type.String()),
                message: Type.Optional(Type.String()),
              }),
            ),
          }),
          ...errors(400, 401, 403),
        },
      },
    },
    async (req) => {
      const p = req.principal;
      // Officers are bounded by their region; devices by the region they were registered for.
      const prefix =
        p?.kind === 'staff' ? p.regionPrefix : p?.kind === 'device' ? regionScope(p.regionCode ?? '') : '';
      return {
        items: await svc.recordVaccinations(req.body.records, actorOf(req), prefix),
      };
    },
  );
}
