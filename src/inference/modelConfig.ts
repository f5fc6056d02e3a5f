import type { ModelInfo, RuntimeName } from '../core/types';

/**
 * Reading a model's manifest `config` (what its adapter family needs to build it: model type, thresholds, most
 * instances; the fields of each family are listed in its adapter file) and its `runtime`. Each family checks
 * its own fields through these, so a wrong entry fails naming the model and the field.
 */

/** The runtime a manifest entry names (every entry of models/manifest.json names one). */
export function modelRuntime(info: ModelInfo): RuntimeName {
  const runtime = (info as ModelInfo & { runtime?: unknown }).runtime;
  if (typeof runtime !== 'string' || runtime === '') throw new Error(`${info.id}: the manifest entry names no runtime`);
  return runtime;
}

/** The entry's `config` object (empty when it has none). */
export function modelConfig(info: ModelInfo): Readonly<Record<string, unknown>> {
  const config = (info as ModelInfo & { config?: unknown }).config;
  if (config === undefined) return {};
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new Error(`${info.id}: manifest config must be an object`);
  return config as Record<string, unknown>;
}

function fail(info: ModelInfo, field: string, what: string): never {
  throw new Error(`${info.id}: manifest config.${field} ${what}`);
}

/** A string field, one of `allowed` when given. */
export function configString<T extends string>(info: ModelInfo, field: string, allowed?: readonly T[]): T {
  const value = modelConfig(info)[field];
  if (typeof value !== 'string' || value === '') fail(info, field, 'must be a string');
  if (allowed && !(allowed as readonly string[]).includes(value)) fail(info, field, `must be one of ${allowed.join(', ')} (got '${value}')`);
  return value as T;
}

/** A number field in [min, max] (whole when `integer`). */
export function configNumber(info: ModelInfo, field: string, range: { min: number; max: number; integer?: boolean }): number {
  const value = modelConfig(info)[field];
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(info, field, 'must be a number');
  if (range.integer && !Number.isInteger(value)) fail(info, field, 'must be a whole number');
  if (value < range.min || value > range.max) fail(info, field, `must be in [${range.min}, ${range.max}] (got ${value})`);
  return value;
}

/** A boolean field. */
export function configBoolean(info: ModelInfo, field: string): boolean {
  const value = modelConfig(info)[field];
  if (typeof value !== 'boolean') fail(info, field, 'must be true or false');
  return value;
}

/** A file field: the name of one of the entry's own files. */
export function configFile(info: ModelInfo, field: string): string {
  const name = configString(info, field);
  if (!info.files.some((file) => file.name === name)) fail(info, field, `names '${name}', which is not one of the entry's files`);
  return name;
}

/** Fails on fields the family does not read (a typo would otherwise be ignored). */
export function onlyConfigFields(info: ModelInfo, fields: readonly string[]): void {
  for (const key of Object.keys(modelConfig(info))) if (!fields.includes(key)) fail(info, key, `is not a field of the ${info.family} family (it reads ${fields.join(', ')})`);
}
