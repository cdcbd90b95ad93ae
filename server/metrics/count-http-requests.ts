// Counts every answered request by method, route template (never the raw URL,
// which would explode label cardinality with upload ids) and status.
import type { FastifyInstance } from 'fastify';
import type { ServiceMetrics } from './service-metrics.ts';

export function countHttpRequests(app: FastifyInstance, metrics: ServiceMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpRequests.inc({
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    });
  });
}
