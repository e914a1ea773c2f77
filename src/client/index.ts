// `oversee/client`: a zero-dependency client (fetch + node:dgram) for OverC reports, metrics and okerr indicators.
export { OverseeClientError, type ClientErrorKind } from './errors.js';
export { parseBaseUrl, joinUrl, type FetchFn, type BaseUrl } from './http.js';
export {
  OvercClient, parseServerId,
  type OvercClientOptions, type OvercState, type ServiceReport, type ServiceMetric, type AlertReport,
} from './overc.js';
export { StatsdClient, type StatsdClientOptions, type MetricOptions } from './statsd.js';
export { HttpMetricsClient, type HttpMetricsOptions, type MetricSample } from './metrics-http.js';
export {
  OkerrProject, OkerrIndicator, readOkerrConfig, DEFAULT_OKERR_CONFIG, OKERR_THROTTLE_S,
  type OkerrProjectOptions, type OkerrIndicatorOptions, type OkerrUpdateResult,
} from './okerr.js';
