/** Shapes shared by the operations' inputs and outputs (as JSON carries them: times are ISO strings in UTC). */
import { z } from 'zod';

export const id = z.coerce.number().int().positive();
export const limit = (max = 500, fallback = 50) => z.coerce.number().int().min(1).max(max).default(fallback);
/** A flag that arrives as a boolean in a JSON body or as "true"/"1" in a query string. */
export const flag = z.preprocess((v) => (v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : v), z.boolean()).optional();
/** An instant given by a client: ISO 8601 with its offset (the CLI turns KST input into this). */
export const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));
export const time = z.iso.datetime({ offset: true });
export const nullableTime = time.nullable();
export const json = z.json();
