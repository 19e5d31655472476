// Turning catalog keys into text for one locale. Components get a Translator from the I18n context; code
// outside components returns a Phrase (a function of the translator) so its text follows a language switch
// made after it was produced, e.g. an error banner already on screen.
import { fillTemplate, type MessagePlaceholders, pickTemplate } from "./message-format.js";
import { type Catalog, en, type MessageKey } from "./messages-en.js";
import { zhCN } from "./messages-zh-cn.js";
import { numberFormat, pluralRules } from "./intl-format.js";
import type { Locale } from "./locale.js";

/** Each locale's catalog. */
export const CATALOGS: Record<Locale, Catalog> = { en, "zh-CN": zhCN };

/** The placeholders a message takes (from the English template). */
export type ParamName<Key extends MessageKey> = MessagePlaceholders<(typeof en)[Key]>;

/** The value of a placeholder: numbers are formatted for the locale. */
export type ParamValue = string | number;

/** `t()`'s parameters after the key: none for a message without placeholders, else one value per placeholder. */
export type ParamArgs<Key extends MessageKey, Value = ParamValue> = [ParamName<Key>] extends [never] ? [] : [params: Record<ParamName<Key>, Value>];

/** The keys of messages without placeholders. */
export type PlainKey = { [Key in MessageKey]: [ParamName<Key>] extends [never] ? Key : never }[MessageKey];

/** The page's words in one locale (function properties, not methods: components destructure them). */
export interface Translator {
  readonly locale: Locale;
  /** A message as text; plural messages pick their form by the `count` parameter. */
  t: <Key extends MessageKey>(key: Key, ...params: ParamArgs<Key>) => string;
  /** A message as parts, with elements for placeholders (code, links) so markup stays out of the catalog. */
  parts: <Key extends MessageKey, Part>(key: Key, params: Record<ParamName<Key>, Part | ParamValue>) => (Part | string)[];
}

/** Text that is worded when shown, in the language of that moment. */
export type Phrase = (i18n: Translator) => string;

/** A message without placeholders, worded when shown. */
export function phrase(key: PlainKey): Phrase {
  return ({ t }) => t(key);
}

/** A phrase that is already text: a server's own message, shown as sent. */
export function verbatim(text: string): Phrase {
  return () => text;
}

/** The translator for a locale. */
export function createTranslator(locale: Locale): Translator {
  const catalog = CATALOGS[locale];
  const plurals = pluralRules(locale);
  const formatNumber = (value: number) => numberFormat(locale).format(value);
  const render = <Part>(key: MessageKey, params: Readonly<Record<string, Part | ParamValue>>) =>
    fillTemplate(pickTemplate(catalog[key], plurals, params.count), params, formatNumber);
  return {
    locale,
    t: (key, ...args) => render<string>(key, args[0] ?? {}).join(""),
    parts: (key, params) => render(key, params),
  };
}
