import { describe, expect, it } from "vitest";
import { highlightSnippet, highlightTerms, splitHighlights } from "../../web/src/state/search-highlight.js";

/** The parts as a string with the matches in brackets, for readable expectations. */
const marked = (snippet: string, query: string) =>
  highlightSnippet(snippet, query)
    .map((part) => (part.match ? `[${part.text}]` : part.text))
    .join("");

describe("search snippet highlighting (sidebar message hits)", () => {
  it("marks every occurrence of an English word, ignoring case", () => {
    expect(marked("Rain tomorrow? The rain in Paris, RAIN again", "rain")).toBe("[Rain] tomorrow? The [rain] in Paris, [RAIN] again");
    expect(marked("…planning the trip to Lisbon…", "trip lisbon")).toBe("…planning the [trip] to [Lisbon]…");
  });

  it("marks Chinese runs, and a CJK run apart from the Latin word it touches", () => {
    expect(marked("…今天北京的天气预报说会下雨…", "天气")).toBe("…今天北京的[天气]预报说会下雨…");
    expect(marked("明天天气 forecast: 晴", "天气forecast")).toBe("明天[天气] [forecast]: 晴");
    expect(marked("一个字：雨", "雨")).toBe("一个字：[雨]");
  });

  it("prefers the longest term and never overlaps", () => {
    expect(splitHighlights("postgresql and postgres", ["postgres", "postgresql"])).toEqual([
      { text: "postgresql", match: true },
      { text: " and ", match: false },
      { text: "postgres", match: true },
    ]);
    expect(marked("天气预报", "天气预报 天气")).toBe("[天气预报]");
  });

  it("leaves out search syntax: quotes, or, and -excluded words", () => {
    expect(highlightTerms('"exact phrase" or word -city')).toEqual(["phrase", "exact", "word"]);
    expect(marked("the city has weather or not", "weather -city or")).toBe("the city has [weather] or not");
  });

  it("treats the query as text, not as a pattern, and keeps markup in the snippet as plain text", () => {
    expect(marked("<b>C++</b> (and .* too)", "C++ (and .*")).toBe("<b>[C++]</b> [(and] [.*] too)");
    expect(highlightSnippet("<img src=x onerror=alert(1)> rain", "rain")).toEqual([
      { text: "<img src=x onerror=alert(1)> ", match: false },
      { text: "rain", match: true },
    ]);
  });

  it("returns the snippet unmarked when no term is in it (a fuzzy or stemmed match)", () => {
    expect(highlightSnippet("PostgreSQL is a database", "databse")).toEqual([{ text: "PostgreSQL is a database", match: false }]);
    // Part of a word is marked, as the server matches substrings too (partial words, identifiers).
    expect(marked("PostgreSQL is a database", "postgres")).toBe("[PostgreS]QL is a database");
    expect(splitHighlights("", ["rain"])).toEqual([]);
    expect(splitHighlights("rain", [])).toEqual([{ text: "rain", match: false }]);
  });
});
