// Delivers outbox batches to an OverC-compatible server and maps answers to retry/reject.
import { OverseeClientError, type OvercClient } from '../client/index.js';
import type { Deliver, OutboxEntry } from './outbox.js';
import type { Logger } from './logger.js';

/** A Deliver function posting status batches and alert batches with `client`. */
export function overcDeliver(client: OvercClient, logger: Logger): Deliver {
  return async (batch: OutboxEntry[]) => {
    try {
      const first = batch[0];
      if (!first) return 'ok';
      if (first.kind === 'status') {
        const services = batch.flatMap((e) => (e.kind === 'status' ? [e.service] : []));
        await client.reportServices(first.service.period, services);
      } else {
        await client.sendAlerts(batch.flatMap((e) => (e.kind === 'alert' ? [e.alert] : [])));
      }
      return 'ok';
    } catch (err) {
      if (err instanceof OverseeClientError && !err.retryable) {
        logger.error('server refused a report', { error: err.message, status: err.status });
        return 'reject';
      }
      logger.warn('server unreachable; reports stay queued', { error: err instanceof Error ? err.message : String(err) });
      return 'retry';
    }
  };
}
