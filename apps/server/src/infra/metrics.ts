import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * How often the event loop is sampled for `hivesync_nodejs_eventloop_lag_*` (perf_hooks.monitorEventLoopDelay), in
 * milliseconds. Each sample records the whole time between two timer fires, so a value is this interval plus the
 * delay: an idle loop reads about 10 ms, and the delay is the value minus this.
 */
export const EVENT_LOOP_SAMPLE_MS = 10;

/** The Prometheus metrics of one process (its own registry, so several runtimes can share a process in tests). */
export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly jobs: Counter<'queue' | 'outcome'>;
  readonly jobDuration: Histogram<'queue' | 'outcome'>;
  readonly syncDuration: Histogram<'outcome'>;

  constructor(role: string) {
    this.registry.setDefaultLabels({ role });
    collectDefaultMetrics({
      register: this.registry,
      prefix: 'hivesync_',
      eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS,
    });
    this.httpDuration = new Histogram({
      name: 'hivesync_http_request_duration_seconds',
      help: 'HTTP request latency by route (the route pattern, never the raw URL) and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    this.jobs = new Counter({
      name: 'hivesync_jobs_total',
      help: 'Jobs run, by queue and outcome',
      labelNames: ['queue', 'outcome'],
      registers: [this.registry],
    });
    this.jobDuration = new Histogram({
      name: 'hivesync_job_duration_seconds',
      help: 'Job run time by queue and outcome',
      labelNames: ['queue', 'outcome'],
      buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
      registers: [this.registry],
    });
    this.syncDuration = new Histogram({
      name: 'hivesync_sync_duration_seconds',
      help: 'Repository sync attempts by outcome',
      labelNames: ['outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [this.registry],
    });
  }

  /** A gauge read when scraped. */
  gauge(name: string, help: string, labelNames: string[], collect: (g: Gauge<string>) => Promise<void> | void): void {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        await collect(this);
      },
    });
  }
}
