// GET /metrics: Prometheus text format, no authentication (scrapers rarely carry
// tokens; restrict it at the proxy if it must not be public).
import type { FastifyInstance } from 'fastify';
import type { ServiceMetrics } from '../metrics/service-metrics.ts';

export async function metricsRoute(app: FastifyInstance, options: { metrics: ServiceMetrics }): Promise<void> {
  app.get('/metrics', async (_request, reply) => {
    reply.header('Content-Type', options.metrics.registry.contentType);
    return options.metrics.registry.metrics();
  });
}
