/**
 * @module Argument checks shared by the clustering stages, and the native status as a typed error (a
 * native call reports NaN or infinite input as invalid data).
 */
import { ConfigError } from "../errors.ts";
import { check, STATUS } from "../ffi.ts";

export function requireInteger(name: string, value: number, min: number, max = 0xffffffff): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
}

export function requireUnitInterval(name: string, value: number): void {
  if (!(value >= 0 && value <= 1)) throw new ConfigError(`${name} must be in [0, 1], got ${value}`);
}

/** `defaults` overridden by the options that are set (an explicit `undefined` keeps the default). */
export function withDefaults<D extends object>(defaults: D, options: { [K in keyof D]?: D[K] | undefined }): { -readonly [K in keyof D]: D[K] } {
  const out = { ...defaults };
  for (const key of Object.keys(defaults) as (keyof D)[]) {
    const value = options[key];
    if (value !== undefined) out[key] = value as D[keyof D];
  }
  return out;
}

/** Checks that `data` holds count x dim floats. */
export function checkPoints(data: Float32Array, count: number, dim: number, what: string): void {
  requireInteger(`${what} count`, count, 0);
  requireInteger(`${what} dimension`, dim, 1);
  if (data.length !== count * dim) {
    throw new ConfigError(`${what}: expected ${count} x ${dim} = ${count * dim} floats, got ${data.length}`);
  }
}

/** Turns a native status into an error; invalid data means NaN or infinite input. */
export function checkStatus(status: number, what: string): void {
  if (status === STATUS.invalidData) throw new ConfigError(`${what}: the input contains NaN or infinite values`);
  check(status, what);
}
