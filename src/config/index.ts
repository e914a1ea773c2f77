// Public face of the configuration module.
export { loadConfig, resolveConfig, configFileSource, FOREIGN_SECTIONS } from './load.js';
export type { ServerConfig, ConfigInput, ForeignSection, SettingOrigin } from './load.js';
export { SETTINGS, SETTING_NAMES, LOG_LEVELS, flagName } from './settings.js';
export type { LogLevel, ServerSettings, SettingName, SettingSpec } from './settings.js';
export type { StoreLocation } from './values.js';
export { METRICS_TIERS_ENV, resolveMetricsSettings } from './metrics.js';
export type { MetricsSettings } from './metrics.js';
