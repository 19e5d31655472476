import { z } from "zod";

/** Digits only: `0x10`, `1e1`, `2.0`, `+2` and ` 2` are not integers a person meant (`Number()` reads them all). */
const DECIMAL_DIGITS = /^[0-9]+$/;

/**
 * A query-string integer written in decimal digits, within `min`–`max`; anything else is refused rather than
 * read as some other number. A repeated parameter (`?limit=2&limit=3`, an array) is refused too.
 */
export function queryInteger(range: { min: number; max?: number }) {
  return z
    .string()
    .regex(DECIMAL_DIGITS, "must be an integer in decimal digits")
    .transform(Number)
    .pipe(z.number().int().min(range.min).max(range.max ?? Number.MAX_SAFE_INTEGER));
}
