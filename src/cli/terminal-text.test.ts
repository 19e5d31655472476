import { describe, expect, it } from "vitest";
import { terminalLine, terminalText } from "./terminal-text.js";

describe("terminal text", () => {
  it("escapes controls but keeps a body's line breaks and tabs", () => {
    expect(terminalText("hi \u001b]0;PWNED\u0007 \u001b[2J done\r\nnext\tcol\u009b")).toBe("hi \\x1b]0;PWNED\\x07 \\x1b[2J done\nnext\tcol\\x9b");
  });

  it("flattens a field to one line", () => {
    expect(terminalLine("tab\there\nnl \u001b[31mred ")).toBe("tab here nl \\x1b[31mred");
  });
});
