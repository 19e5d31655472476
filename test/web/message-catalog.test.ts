import { describe, expect, it } from "vitest";
import { relativeTime } from "../../web/src/components/relative-time.js";
import { forkTitle } from "../../web/src/state/fork-title.js";
import { formatBytes, formatDuration } from "../../web/src/i18n/intl-format.js";
import { LOCALES, matchLocale } from "../../web/src/i18n/locale.js";
import { type Message, placeholdersOf } from "../../web/src/i18n/message-format.js";
import { type Catalog, en } from "../../web/src/i18n/messages-en.js";
import { zhCN } from "../../web/src/i18n/messages-zh-cn.js";
import { CATALOGS, createTranslator } from "../../web/src/i18n/translator.js";

const forms = (message: Message): string[] => (typeof message === "string" ? [message] : Object.values(message).filter((form): form is string => typeof form === "string"));

describe("the message catalogs", () => {
  it("have the same keys in every locale", () => {
    const keys = Object.keys(en).sort();
    for (const locale of LOCALES) expect(Object.keys(CATALOGS[locale]).sort()).toEqual(keys);
  });

  it("have no empty message in any locale or plural form", () => {
    for (const locale of LOCALES) {
      for (const [key, message] of Object.entries(CATALOGS[locale])) {
        for (const form of forms(message)) expect(form.trim(), `${locale} ${key}`).not.toBe("");
      }
    }
  });

  it("use the same placeholders in every locale", () => {
    for (const [key, message] of Object.entries(en)) {
      for (const locale of LOCALES) expect(placeholdersOf(CATALOGS[locale][key as keyof typeof en]), `${locale} ${key}`).toEqual(placeholdersOf(message));
    }
  });

  it("give each plural message every form its language uses, picked by {count}", () => {
    for (const locale of LOCALES) {
      const categories = new Intl.PluralRules(locale).resolvedOptions().pluralCategories;
      for (const [key, message] of Object.entries(CATALOGS[locale])) {
        const pluralInEnglish = typeof en[key as keyof typeof en] !== "string";
        expect(typeof message !== "string", `${locale} ${key} is plural in one locale only`).toBe(pluralInEnglish);
        if (typeof message === "string") continue;
        expect(placeholdersOf(message), `${locale} ${key}`).toContain("count");
        for (const category of categories) expect(message[category] ?? (category === "other" ? undefined : message.other), `${locale} ${key} ${category}`).toBeDefined();
      }
    }
  });

  it("fill placeholders, plurals and numbers for the locale", () => {
    const english = createTranslator("en");
    const chinese = createTranslator("zh-CN");
    expect(english.t("search.count", { count: 1 })).toBe("1 matching message");
    expect(english.t("search.count", { count: 1234 })).toBe("1,234 matching messages");
    expect(chinese.t("search.count", { count: 2 })).toBe("2 条匹配的消息");
    expect(english.t("deleteSession.body", { title: "Trip" })).toBe("“Trip” and its history will be deleted. This cannot be undone.");
    expect(chinese.t("composer.send")).toBe("发送");
    // Rich text keeps its elements as parts.
    expect(chinese.parts("approval.title", { name: { element: "code" } })).toEqual(["批准调用工具 ", { element: "code" }, "？"]);
  });

  it("cannot be missing a key: TypeScript refuses such a catalog", () => {
    const withoutSend: Omit<Catalog, "composer.send"> = zhCN;
    // @ts-expect-error a locale without "composer.send" is not a Catalog
    const incomplete: Catalog = withoutSend;
    expect(incomplete).toBe(zhCN);
  });
});

describe("the page's language", () => {
  it("follows the browser's languages, every Chinese variant to Simplified Chinese", () => {
    expect(matchLocale(["zh-CN", "en"])).toBe("zh-CN");
    expect(matchLocale(["zh-TW"])).toBe("zh-CN");
    expect(matchLocale(["zh-Hant-HK"])).toBe("zh-CN");
    expect(matchLocale(["zh"])).toBe("zh-CN");
    expect(matchLocale(["fr-FR", "zh-HK", "en"])).toBe("zh-CN");
    expect(matchLocale(["en-GB", "zh-CN"])).toBe("en");
    expect(matchLocale(["fr-FR", "de"])).toBe("en");
    expect(matchLocale([])).toBe("en");
  });
});

describe("times, durations and sizes", () => {
  const now = Date.parse("2026-03-10T12:00:00Z");
  const ago = (seconds: number) => new Date(now - seconds * 1000).toISOString();

  it("say how long ago in the chosen language", () => {
    expect(relativeTime(ago(10), "en", now)).toBe("now");
    expect(relativeTime(ago(10), "zh-CN", now)).toBe("现在");
    expect(relativeTime(ago(5 * 60), "en", now)).toMatch(/^5 min\.? ago$/);
    expect(relativeTime(ago(5 * 60), "zh-CN", now)).toBe("5分钟前");
    expect(relativeTime(ago(3 * 3600), "zh-CN", now)).toBe("3小时前");
    expect(relativeTime(ago(30 * 3600), "en", now)).toBe("yesterday");
    expect(relativeTime(ago(30 * 3600), "zh-CN", now)).toBe("昨天");
    expect(relativeTime("2026-01-05T12:00:00Z", "zh-CN", now)).toBe("1月5日");
    expect(relativeTime("2026-01-05T12:00:00Z", "en", now)).toBe("Jan 5");
    expect(relativeTime("2024-01-05T12:00:00Z", "zh-CN", now)).toBe("2024年1月5日");
    // Ahead of the clock: a few seconds is "now" (clocks disagree); further (an imported date ahead), the date.
    expect(relativeTime(ago(-20), "en", now)).toBe("now");
    expect(relativeTime("9999-12-31T23:59:59.999Z", "zh-CN", now)).toBe("9999年12月31日");
    expect(relativeTime("9999-12-31T23:59:59.999Z", "en", now)).toBe("Dec 31, 9999");
  });

  it("format durations and sizes with Intl", () => {
    expect(formatDuration("en", 42)).toBe("42 ms");
    expect(formatDuration("zh-CN", 1300)).toBe("1.3秒");
    expect(formatBytes("en", 1_048_576)).toBe("1 MB");
    expect(formatBytes("zh-CN", 16_384)).toBe("16 KB");
  });
});

describe("a fork's title", () => {
  it("marks the source's title once, in the page's language; a fork of a fork keeps its mark", () => {
    const zh = createTranslator("zh-CN");
    const mark = (title: string) => zh.t("timeline.forkTitle", { title });
    expect(forkTitle("旅行计划", mark)).toBe("旅行计划（分叉）");
    expect(forkTitle("旅行计划（分叉）", mark)).toBe("旅行计划（分叉）");
    expect(forkTitle("Trip (fork)", mark)).toBe("Trip (fork)");
  });
});
