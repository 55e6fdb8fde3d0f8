/** Labs: receipt of tubes, results per tube, and the open retest orders. */
import { Type } from '@sinclair/typebox';
import { RESULTS } from '../../../domain/nat/nat.ts';
import type { App } from '../../app.ts';
import { actorOf } from '../../auth.ts';
import type { NatApi } from './nat-api.ts';
import { Barcode, LabOutcomes, tags } from './nat.schemas.ts';

/** The lab's identity in results: its device. */
function labOf(actor: string): string {
  return actor.replace(/^device:/, 'lab-');
}

export function natLabRoutes(app: App, nat: NatApi): void {
  app.post(
    '/testing/v1/lab/receipts',
    {
      config: { auth: ['lab'] },
      schema: {
        tags,
        summary: '实验室接收 Lab receipt of tubes',
        body: Type.Object({ tubes: Type.Array(Barcode, { minItems: 1, maxItems: 5000 }) }),
        response: { 200: LabOutcomes },
      },
    },
    async (req) => ({
      items: await nat.lab.receive(labOf(actorOf(req)), req.body.tubes, actorOf(req)),
    }),
  );

  app.post(
    '/testing/v1/lab/results',
    {
      config: { auth: ['lab'] },
      schema: {
        tags,
        summary:
          '检测结果 Results per tube ((lab, tube, version) is unique; a correction is the next version)',
        body: Type.Object({
          results: Type.Array(
            Type.Object({
              tube: Barcode,
              result: Type.Union(RESULTS.map((r) => Type.Literal(r))),
              version: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
            }),
            { minItems: 1, maxItems: 2000 },
          ),
        }),
        response: { 200: LabOutcomes },
      },
    },
    async (req) => ({
      items: await nat.lab.report(labOf(actorOf(req)), req.body.results, actorOf(req)),
    }),
  );

  app.get(
    '/testing/v1/retest-orders',
    {
      config: { auth: ['tester', 'lab', 'officer', 'admin'] },
      schema: {
        tags,
        summary: '待复检 Open retest orders',
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })) }),
      },
    },
    async (req) => nat.lab.openRetests(req.query.limit ?? 500),
  );
}
