// Small typed readers for environment variables. Each failure names the
// variable and the value, so a bad deployment fails fast and readably.
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`Invalid configuration: ${variable} ${message}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

function raw(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function readString(env: Env, name: string, fallback: string): string {
  return raw(env, name) ?? fallback;
}

export function readOptionalString(env: Env, name: string): string | undefined {
  return raw(env, name);
}

/** Whole numbers only, written in decimal: "1e3", "0x10", "1.5" and "-1" are refused. */
export function readInteger(env: Env, name: string, fallback: number, bounds: { min: number; max?: number }): number {
  const text = raw(env, name);
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) throw new ConfigError(name, `must be a whole number, got "${text}"`);
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new ConfigError(name, `is too large: "${text}"`);
  if (value < bounds.min) throw new ConfigError(name, `must be at least ${bounds.min}, got ${value}`);
  if (bounds.max !== undefined && value > bounds.max) {
    throw new ConfigError(name, `must be at most ${bounds.max}, got ${value}`);
  }
  return value;
}

/** Decimal numbers such as "0.5" or "100" (e.g. gigabytes). */
export function readDecimal(env: Env, name: string, fallback: number, bounds: { min: number }): number {
  const text = raw(env, name);
  if (text === undefined) return fallback;
  if (!/^\d+(\.\d+)?$/.test(text)) throw new ConfigError(name, `must be a non-negative number, got "${text}"`);
  const value = Number(text);
  if (value < bounds.min) throw new ConfigError(name, `must be at least ${bounds.min}, got ${value}`);
  return value;
}

export function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const text = raw(env, name)?.toLowerCase();
  if (text === undefined) return fallback;
  if (['true', '1', 'yes', 'on'].includes(text)) return true;
  if (['false', '0', 'no', 'off'].includes(text)) return false;
  throw new ConfigError(name, `must be true or false, got "${text}"`);
}

export function readChoice<T extends string>(env: Env, name: string, fallback: T, choices: readonly T[]): T {
  const text = raw(env, name);
  if (text === undefined) return fallback;
  if (!choices.includes(text as T)) throw new ConfigError(name, `must be one of ${choices.join(', ')}, got "${text}"`);
  return text as T;
}
