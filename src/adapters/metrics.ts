import { Metrics as PowertoolsMetrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Metrics } from '../use-cases/ports.ts';

export const METRICS_NAMESPACE = 'legday';

/**
 * CloudWatch metrics through Powertools (embedded metric format on stdout: no API call, no extra
 * latency). Call `flush()` at the end of each invocation.
 */
export function createCloudWatchMetrics(serviceName: string): Metrics & { flush(): void } {
  const metrics = new PowertoolsMetrics({ namespace: METRICS_NAMESPACE, serviceName });
  return {
    count: (name, value = 1) => metrics.addMetric(name, MetricUnit.Count, value),
    gauge: (name, value, unit) => metrics.addMetric(name, MetricUnit[unit], value),
    flush: () => metrics.publishStoredMetrics(),
  };
}

/** Locally, metrics are running totals (tests read them); there is no CloudWatch to send them to. */
export function createLocalMetrics(): Metrics & { totals: Map<string, number> } {
  const totals = new Map<string, number>();
  return {
    totals,
    count(name, value = 1) {
      totals.set(name, (totals.get(name) ?? 0) + value);
    },
    gauge(name, value) {
      totals.set(name, value);
    },
  };
}
