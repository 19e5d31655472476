import { AppError } from "../errors/app-error.js";

/** The comparison operators a search filter may use on a field (LangGraph's set). */
export const FILTER_OPERATORS = ["$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists"] as const;

type FilterOperator = (typeof FILTER_OPERATORS)[number];

/**
 * SQL conditions on `value` for a search filter, pushing their parameters onto `params`. A field's plain value must
 * equal the item's (as JSON: `1` is not `"1"`, objects compare whole, as LangGraph's Postgres store compares); an
 * object of `$` operators compares with each. Fields are top-level keys of the item's value.
 */
export function filterConditions(filter: Record<string, unknown>, params: unknown[]): string[] {
  const conditions: string[] = [];
  for (const [field, expected] of Object.entries(filter)) {
    const fieldParam = push(params, field);
    if (!isOperatorObject(expected)) {
      conditions.push(`value -> ${fieldParam} = ${push(params, JSON.stringify(expected))}::jsonb`);
      continue;
    }
    for (const [operator, operand] of Object.entries(expected)) {
      conditions.push(operatorCondition({ field: fieldParam, operator: asOperator(field, operator), operand, params }));
    }
  }
  return conditions;
}

/** An object whose keys all start with `$` is a set of operators; one mixing both is refused (which was meant?). */
function isOperatorObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  const operators = keys.filter((key) => key.startsWith("$"));
  if (operators.length > 0 && operators.length < keys.length) {
    throw new AppError("invalid_request", `filter: an object of operators cannot also hold plain keys (${keys.join(", ")})`);
  }
  return keys.length > 0 && operators.length === keys.length;
}

function asOperator(field: string, operator: string): FilterOperator {
  if ((FILTER_OPERATORS as readonly string[]).includes(operator)) return operator as FilterOperator;
  throw new AppError("invalid_request", `filter.${field}: unknown operator ${operator} (use ${FILTER_OPERATORS.join(", ")})`);
}

function operatorCondition(options: { field: string; operator: FilterOperator; operand: unknown; params: unknown[] }): string {
  const { field, operator, operand, params } = options;
  const item = `value -> ${field}`;
  switch (operator) {
    case "$eq":
      return `${item} = ${push(params, JSON.stringify(operand))}::jsonb`;
    case "$ne":
      // A missing field differs from any value, as `!==` says in LangGraph's in-memory store.
      return `${item} IS DISTINCT FROM ${push(params, JSON.stringify(operand))}::jsonb`;
    case "$gt":
    case "$gte":
    case "$lt":
    case "$lte": {
      if (typeof operand !== "number" && typeof operand !== "string") {
        throw new AppError("invalid_request", `filter: ${operator} compares with a number or a string, got ${JSON.stringify(operand)}`);
      }
      const sql = { $gt: ">", $gte: ">=", $lt: "<", $lte: "<=" }[operator];
      const operandParam = `${push(params, JSON.stringify(operand))}::jsonb`;
      // Numbers compare as numbers and strings as strings; a field of another type never matches.
      return `(jsonb_typeof(${item}) = jsonb_typeof(${operandParam}) AND ${item} ${sql} ${operandParam})`;
    }
    case "$in":
    case "$nin": {
      if (!Array.isArray(operand)) throw new AppError("invalid_request", `filter: ${operator} takes a list of values`);
      const listed = `EXISTS (SELECT 1 FROM jsonb_array_elements(${push(params, JSON.stringify(operand))}::jsonb) AS listed(element) WHERE element = ${item})`;
      return operator === "$in" ? listed : `NOT ${listed}`;
    }
    case "$exists":
      if (typeof operand !== "boolean") throw new AppError("invalid_request", "filter: $exists takes true or false");
      return operand ? `value ? ${field}` : `NOT (value ? ${field})`;
  }
}

/** Append a parameter and return its placeholder. */
function push(params: unknown[], value: unknown): string {
  params.push(value);
  return `$${params.length}`;
}
