// How catalog messages are written and filled in: `{name}` placeholders, and plural messages as one template
// per CLDR plural category, picked with Intl.PluralRules (English needs `one` and `other`, Chinese only `other`).

/** A message with a count: one template per plural category the language uses; `other` is always there. */
export type PluralMessage = { readonly other: string } & { readonly [Category in Intl.LDMLPluralRule]?: string };

/** One catalog entry. */
export type Message = string | PluralMessage;

/** The placeholder names of a template type: `"{count} left"` → `"count"`. */
export type Placeholders<Template> = Template extends `${string}{${infer Name}}${infer Rest}` ? Name | Placeholders<Rest> : never;

/** The placeholder names of a message type, over all its plural forms. */
export type MessagePlaceholders<M> = M extends string ? Placeholders<M> : Placeholders<M[keyof M]>;

const PLACEHOLDER = /\{(\w+)\}/g;

/** The placeholder names a template uses, sorted and without repeats (the catalog test compares locales with it). */
export function placeholdersOf(message: Message): string[] {
  const templates = typeof message === "string" ? [message] : Object.values(message).filter((form): form is string => typeof form === "string");
  const names = new Set(templates.flatMap((template) => Array.from(template.matchAll(PLACEHOLDER), (match) => match[1] ?? "")));
  return [...names].sort();
}

/** The template of a message for a count (plural messages) or the message itself. */
export function pickTemplate(message: Message, pluralRules: Intl.PluralRules, count: unknown): string {
  if (typeof message === "string") return message;
  return (typeof count === "number" ? message[pluralRules.select(count)] : undefined) ?? message.other;
}

/**
 * A template split at its placeholders, each filled from `params` (numbers through `formatNumber`); parts can be
 * strings or anything else (elements), so rich text keeps its markup out of the catalog. An unknown
 * placeholder stays as written, which shows the mistake instead of hiding it.
 */
export function fillTemplate<Part>(template: string, params: Readonly<Record<string, Part | string | number>>, formatNumber: (value: number) => string): (Part | string)[] {
  const parts: (Part | string)[] = [];
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    const [whole, name = ""] = match;
    if (match.index > last) parts.push(template.slice(last, match.index));
    // Not Object.hasOwn: Safari before 15.4 lacks it.
    const value = Object.prototype.hasOwnProperty.call(params, name) ? params[name] : undefined;
    parts.push(value === undefined ? whole : typeof value === "number" ? formatNumber(value) : value);
    last = match.index + whole.length;
  }
  if (last < template.length) parts.push(template.slice(last));
  return parts;
}
