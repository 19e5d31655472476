const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a string is a UUID; ids that are not cannot exist, so lookups answer not_found without a query. */
export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}
