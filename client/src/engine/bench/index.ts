export * from './types.js';
export { benchmarkRequestFromJobSpec, runRulesFromWire, DEFAULT_RUN_RULES, BenchmarkSpecError } from './request.js';
export { runBenchmark, type RunBenchmarkOptions } from './run-benchmark.js';
export { executeRunRules, realClock, THROTTLE_RATIO, type BenchClock, type ExecutorOptions, type ExecutorProgress, type RunRulesMeasurement } from './run-rules.js';
export { summarizeLatencies, percentileOf, median, DEFAULT_PERCENTILES } from './latency.js';
export { readDeviceConditions, type ConditionsReader } from './device-conditions.js';
export { LINUX_TELEMETRY_PATHS, readBattery, readTemperature, type TelemetryPaths } from './sensors.js';
