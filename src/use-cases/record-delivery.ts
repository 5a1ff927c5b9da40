import { SendError, type DeliveryReport, type Log, type Metrics, type Store } from './ports.ts';
import { recordCarrierRefusal } from './record-carrier-refusal.ts';

/**
 * What Twilio's status callback error codes mean for the number, reported after the send:
 * 30003 (unreachable handset), 30005 (unknown or inactive number), 30006 (landline or unreachable
 * carrier) stop all sending to it; 21610 (the person texted STOP to the carrier) opts it out.
 * 30007 (carrier filtering) is the wording or the sender's registration, not the person: counted.
 */
const UNREACHABLE_AFTER_SEND = new Set(['30003', '30005', '30006']);
const OPTED_OUT_AFTER_SEND = new Set(['21610']);
export const CARRIER_FILTERED = '30007';

export interface RecordDeliveryDeps {
  store: Store;
  log: Log;
  metrics: Metrics;
  defaultTimezone: string;
}

/**
 * A delivery report arrives (Twilio's status callback). Stored on the message it is about;
 * idempotent (a redelivered or out-of-order report changes nothing and acts on nothing), and a
 * final failure with a number-level error code acts on the number as a send refusal would.
 */
export async function recordDelivery(deps: RecordDeliveryDeps, report: DeliveryReport & { to: string }): Promise<'recorded' | 'unchanged'> {
  const changed = await deps.store.recordDelivery(report);
  if (!changed) {
    deps.log.info('delivery report changed nothing (seen before, out of order, or not ours)', { providerId: report.providerId, status: report.status });
    return 'unchanged';
  }
  const failed = report.status === 'undelivered' || report.status === 'failed';
  if (report.status === 'delivered') deps.metrics.count('TextsDelivered');
  if (failed) {
    deps.metrics.count('TextsUndelivered');
    deps.log.warn('text not delivered', { to: report.to, providerId: report.providerId, status: report.status, errorCode: report.errorCode });
  }
  const code = report.errorCode;
  if (!failed || !code) return 'recorded';
  if (code === CARRIER_FILTERED) deps.metrics.count('CarrierFiltered');
  const kind = UNREACHABLE_AFTER_SEND.has(code) ? 'unreachable' : OPTED_OUT_AFTER_SEND.has(code) ? 'opted-out' : null;
  if (kind) {
    const error = new SendError(kind, code, `delivery report: ${report.status} ${code}`) as SendError & { kind: typeof kind };
    await recordCarrierRefusal(deps, report.to, error, report.at);
  }
  return 'recorded';
}
