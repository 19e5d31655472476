import { describe, expect, it } from "vitest";
import { formatConversationLine, normaliseTimestamp, parseConversationJsonl } from "./conversation-jsonl.js";

const NOW = new Date("2026-01-01T00:00:00Z");

describe("imported timestamps", () => {
  it("reads ISO 8601 dates and date-times, a missing offset as UTC, and epoch seconds or milliseconds", () => {
    expect(normaliseTimestamp("2024-03-01T09:00:00Z")).toBe("2024-03-01T09:00:00.000Z");
    expect(normaliseTimestamp("2024-03-01 09:00:00")).toBe("2024-03-01T09:00:00.000Z");
    expect(normaliseTimestamp("2024-03-01T09:00")).toBe("2024-03-01T09:00:00.000Z");
    expect(normaliseTimestamp("2024-03-01T09:00:00.123456+08:00")).toBe("2024-03-01T01:00:00.123Z");
    expect(normaliseTimestamp("2024-03-01T09:00:00-0500")).toBe("2024-03-01T14:00:00.000Z");
    expect(normaliseTimestamp("2024-03-01")).toBe("2024-03-01T00:00:00.000Z");
    expect(normaliseTimestamp("0001-01-01T00:00:00Z")).toBe("0001-01-01T00:00:00.000Z");
    expect(normaliseTimestamp(1709283600)).toBe("2024-03-01T09:00:00.000Z");
    expect(normaliseTimestamp(1709283600000)).toBe("2024-03-01T09:00:00.000Z");
    // Epoch time written as a string, as some exporters do.
    expect(normaliseTimestamp("1709283600")).toBe("2024-03-01T09:00:00.000Z");
    expect(normaliseTimestamp(" 1709283600000 ")).toBe("2024-03-01T09:00:00.000Z");
    expect(normaliseTimestamp("1709283600.5")).toBe("2024-03-01T09:00:00.500Z");
  });

  it("takes a null timestamp as none (the line before's, or the import's time)", () => {
    const text = ['{"role":"user","content":"hi","timestamp":"2024-03-01T09:00:00Z"}', '{"role":"assistant","content":"hello","timestamp":null}'].join("\n");
    expect(parseConversationJsonl(text, { now: NOW }).map((line) => line.timestamp)).toEqual(["2024-03-01T09:00:00.000Z", "2024-03-01T09:00:00.000Z"]);
  });

  it("refuses impossible dates and locale-dependent formats instead of guessing", () => {
    for (const value of ["2024-02-30T00:00:00Z", "2023-02-29", "2024-13-01", "2024-03-01T24:00:00Z", "2024-03-01T09:60Z"]) {
      expect(() => normaliseTimestamp(value), value).toThrow(/no such date or time/);
    }
    for (const value of ["01/02/03", "March 1, 2024 9:00 AM", "yesterday", "2024-3-1", "2024", "17092x83600"]) {
      expect(() => normaliseTimestamp(value), value).toThrow(/use ISO 8601/);
    }
  });

  it("refuses an epoch number whose reading falls outside 1970–2100 (microseconds, a digit too many) instead of storing year 7386", () => {
    expect(normaliseTimestamp(4133980799)).toBe("2100-12-31T23:59:59.000Z");
    expect(normaliseTimestamp("4133980799999")).toBe("2100-12-31T23:59:59.999Z");
    expect(normaliseTimestamp(0)).toBe("1970-01-01T00:00:00.000Z");
    for (const value of ["170925480000000", 170925480000000, "17092548000", 17092548000, 4133980800, 4133980800000, -1, "-1709283600", 8640000000000000]) {
      expect(() => normaliseTimestamp(value), String(value)).toThrow(/read as epoch (seconds|milliseconds) is .*, outside the years 1970–2100/);
    }
    // ISO 8601 still reaches back to year 1 and on to 9999: a date written out is no unit to guess.
    expect(normaliseTimestamp("1969-07-20T20:17:00Z")).toBe("1969-07-20T20:17:00.000Z");
    expect(normaliseTimestamp("2511-01-01")).toBe("2511-01-01T00:00:00.000Z");
    const text = ['{"role":"user","content":"hi","timestamp":1709254800}', '{"role":"assistant","content":"hello","timestamp":"170925480000000"}'].join("\n");
    expect(() => parseConversationJsonl(text, { now: NOW })).toThrow(expect.objectContaining({ code: "invalid_request", details: { line: 2 }, message: expect.stringMatching(/^Line 2: timestamp "170925480000000" read as epoch milliseconds is year 7386/) as unknown }));
  });

  it("names the line of a bad timestamp", () => {
    const text = ['{"role":"user","content":"hi","timestamp":"2024-03-01T09:00:00Z"}', '{"role":"assistant","content":"hello","timestamp":"2024-02-30T09:00:00Z"}'].join("\n");
    expect(() => parseConversationJsonl(text, { now: NOW })).toThrow(/^Line 2: .*no such date or time/);
  });
});

describe("reading a conversation file", () => {
  it("reads lines ending in a lone CR (classic Mac OS) like LF or CRLF", () => {
    const text = ['{"role":"user","content":"one\\r\\ntwo"}', '{"role":"assistant","content":"three"}', ""].join("\r");
    expect(parseConversationJsonl(text, { now: NOW }).map((line) => (line as { content?: string }).content)).toEqual(["one\r\ntwo", "three"]);
  });

  it("ignores a UTF-8 byte order mark before the first line", () => {
    const lines = parseConversationJsonl('\uFEFF{"role":"user","content":"你好","timestamp":"2024-03-01T09:00:00Z"}\r\n', { now: NOW });
    expect(lines).toEqual([{ role: "user", content: "你好", timestamp: "2024-03-01T09:00:00.000Z" }]);
  });
});

describe("speakers", () => {
  const chat = ['{"speaker":"Caroline","content":"hi"}', '{"speaker":"Melanie","content":"hello"}', '{"speaker":"Caroline","content":"how are you?"}'].join("\n");

  it("reads the named assistant speaker's lines as the assistant's", () => {
    expect(parseConversationJsonl(chat, { now: NOW, assistantSpeaker: "Melanie" }).map((line) => line.role)).toEqual(["user", "assistant", "user"]);
  });

  it("refuses an assistant_speaker who never speaks (a misspelling would make every line the user's)", () => {
    expect(() => parseConversationJsonl(chat, { now: NOW, assistantSpeaker: "Melany" })).toThrow(
      expect.objectContaining({ code: "invalid_request", message: expect.stringContaining('assistant_speaker "Melany" never speaks') as unknown }),
    );
  });
});

describe("tool calls", () => {
  it("keeps every argument, one named __proto__ included", () => {
    const text = ['{"role":"user","content":"set it"}', '{"role":"assistant","content":"","tool_calls":[{"id":"c1","name":"set_field","args":{"__proto__":"x","name":"y"}}]}'].join("\n");
    const [, call] = parseConversationJsonl(text, { now: NOW });
    expect(JSON.stringify(call?.tool_calls?.[0]?.args)).toBe('{"__proto__":"x","name":"y"}');
    expect(() => parseConversationJsonl('{"role":"assistant","content":"","tool_calls":[{"id":"c1","name":"f","args":[1]}]}', { now: NOW })).toThrow(/args must be an object/);
  });
});

describe("tool calls that cannot be kept", () => {
  const calls = (...ids: string[]) => JSON.stringify(ids.map((id) => ({ id, name: "calculator", args: { expression: "1+1" } })));

  it("are refused on a line that is not the assistant's, on that line (they vanished)", () => {
    const userLine = ['{"role":"user","content":"hi"}', `{"role":"user","content":"x","tool_calls":${calls("c1")}}`].join("\n");
    expect(() => parseConversationJsonl(userLine, { now: NOW })).toThrow(
      expect.objectContaining({ code: "invalid_request", details: { line: 2 }, message: 'Line 2: tool_calls on a user line: only the assistant\'s lines make tool calls' }),
    );
    for (const role of ["system", "tool"]) {
      const text = [`{"role":"assistant","content":"","tool_calls":${calls("c0")}}`, `{"role":"${role}","content":"x","tool_call_id":"c0","tool_calls":${calls("c1")}}`].join("\n");
      expect(() => parseConversationJsonl(text, { now: NOW }), role).toThrow(new RegExp(`^Line 2: tool_calls on a ${role} line`));
    }
    // An empty list is no call: exporters write one on every line.
    expect(parseConversationJsonl('{"role":"user","content":"x","tool_calls":[]}', { now: NOW })).toEqual([{ role: "user", content: "x", timestamp: NOW.toISOString() }]);
  });

  it("are refused on a speaker's line that assistant_speaker makes a user line, naming the speaker, not one line later", () => {
    const text = ['{"speaker":"Ann","content":"add them"}', `{"speaker":"Bot","content":"","tool_calls":${calls("c1")}}`, '{"role":"tool","content":"2","tool_call_id":"c1"}'].join("\n");
    expect(parseConversationJsonl(text, { now: NOW }).map((line) => line.role)).toEqual(["user", "assistant", "tool"]);
    expect(() => parseConversationJsonl(text, { now: NOW, assistantSpeaker: "Ann" })).toThrow(
      expect.objectContaining({ details: { line: 2 }, message: 'Line 2: tool_calls on a line of "Bot", a user here (the assistant is "Ann"): only the assistant\'s lines make tool calls' }),
    );
  });

  it("are refused when two calls of one line share an id, on that line", () => {
    const text = ['{"role":"user","content":"twice"}', `{"role":"assistant","content":"","tool_calls":${calls("c1", "c2", "c1")}}`, '{"role":"tool","content":"2","tool_call_id":"c1"}', '{"role":"tool","content":"2","tool_call_id":"c1"}'].join("\n");
    expect(() => parseConversationJsonl(text, { now: NOW })).toThrow(
      expect.objectContaining({ details: { line: 2 }, message: 'Line 2: tool call id "c1" is used twice on this line: each call needs its own id for its tool line to answer it' }),
    );
  });
});

describe("a tool line's start (started_at)", () => {
  const call = '{"role":"assistant","content":"","timestamp":"2024-01-01T00:00:01Z","tool_calls":[{"id":"c1","name":"calculator","args":{}}]}';
  const result = (extra: string) => `${call}\n{"role":"tool","content":"42","timestamp":"2024-01-01T00:00:02Z","tool_call_id":"c1"${extra}}`;

  it("is read like a timestamp on tool lines, ignored on others, and written after args, before status", () => {
    const [, tool] = parseConversationJsonl(result(',"started_at":"2024-01-01 08:00:01.75+08:00"'), { now: NOW });
    expect(tool?.started_at).toBe("2024-01-01T00:00:01.750Z");
    const [, epoch] = parseConversationJsonl(result(',"started_at":1704067201750'), { now: NOW });
    expect(epoch?.started_at).toBe("2024-01-01T00:00:01.750Z");
    // The same instant as the result: a call that took no measurable time.
    expect(parseConversationJsonl(result(',"started_at":"2024-01-01T00:00:02Z"'), { now: NOW })[1]?.started_at).toBe("2024-01-01T00:00:02.000Z");
    expect(parseConversationJsonl('{"role":"user","content":"hi","started_at":"2024-01-01T00:00:00Z"}', { now: NOW })).toEqual([{ role: "user", content: "hi", timestamp: NOW.toISOString() }]);
    const line = { role: "tool" as const, content: "x", timestamp: "2024-01-01T00:00:02.000Z", tool_call_id: "c1", args: { a: 1 }, started_at: "2024-01-01T00:00:01.750Z", status: "error" as const };
    expect(formatConversationLine(line)).toBe('{"role":"tool","content":"x","timestamp":"2024-01-01T00:00:02.000Z","tool_call_id":"c1","args":{"a":1},"started_at":"2024-01-01T00:00:01.750Z","status":"error"}');
    // A line without it has no such key.
    expect(formatConversationLine({ ...line, started_at: undefined })).not.toContain("started_at");
  });

  it("is refused, naming the line, when it is not a timestamp or comes after the line's own timestamp", () => {
    expect(() => parseConversationJsonl(result(',"started_at":"yesterday"'), { now: NOW })).toThrow(/^Line 2: invalid timestamp "yesterday"/);
    expect(() => parseConversationJsonl(result(',"started_at":true'), { now: NOW })).toThrow(/^Line 2: started_at/);
    expect(() => parseConversationJsonl(result(',"started_at":"2024-01-01T00:00:02.001Z"'), { now: NOW })).toThrow(
      expect.objectContaining({ code: "invalid_request", details: { line: 2 }, message: expect.stringContaining("is after the line's timestamp 2024-01-01T00:00:02.000Z") as unknown }),
    );
  });
});
