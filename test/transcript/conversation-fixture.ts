/** Test conversations in the JSONL import/export format. */

/** A conversation already in the export's canonical form: exporting its import gives these exact bytes. */
export function canonicalConversation(): string {
  const lines = [
    { role: "system", content: "Imported from OldBot on 2024-03-01.", timestamp: "2024-03-01T08:59:00.000Z", session: "s1" },
    { role: "user", name: "Ada", content: "Hello! My name is Ada and I like \"quotes\", back\\slashes and\nnew lines.", timestamp: "2024-03-01T09:00:00.000Z", session: "s1" },
    { role: "assistant", content: "Nice to meet you, Ada 👋", timestamp: "2024-03-01T09:00:05.000Z", session: "s1" },
    { role: "user", name: "Ada", content: "今天北京的天气预报怎么样？顺便算一下 6*7。", timestamp: "2024-03-01T09:01:00.000Z", session: "s1" },
    { role: "assistant", content: "", timestamp: "2024-03-01T09:01:02.000Z", session: "s1", tool_calls: [{ id: "call_1", name: "calculator", args: { expression: "6*7" } }] },
    { role: "tool", name: "calculator", content: "42", timestamp: "2024-03-01T09:01:03.000Z", session: "s1", tool_call_id: "call_1" },
    { role: "assistant", content: "6*7 = 42。明天北京有雨，记得带伞。", timestamp: "2024-03-01T09:01:04.000Z", session: "s1" },
    { role: "user", name: "Ada", content: "Remember: my project codename is Falcon.", timestamp: "2024-03-02T18:30:00.000Z", session: "s2" },
    { role: "assistant", content: "", timestamp: "2024-03-02T18:30:01.000Z", session: "s2", tool_calls: [{ id: "call_2", name: "lookup", args: { key: "falcon" } }] },
    { role: "tool", name: "lookup", content: "Error: lookup is not available", timestamp: "2024-03-02T18:30:02.000Z", session: "s2", tool_call_id: "call_2", status: "error" },
    { role: "assistant", content: "Noted: Falcon. Unicode check: \u2028 tab\tend ñ é 中文 🚀", timestamp: "2024-03-02T18:30:03.000Z", session: "s2" },
  ];
  return lines.map((line) => `${JSON.stringify(line)}\n`).join("");
}

/** The same kind of conversation as another system would write it: speakers, epoch seconds, session lines. */
export function speakerConversation(): string {
  const lines = [
    { type: "session", session: 1, timestamp: 1_709_283_600 },
    { speaker: "Caroline", text_ignored: true, content: "Hi Mel! I went hiking at 黄山 yesterday.", timestamp: 1_709_283_600 },
    { speaker: "Melanie", content: "Wow, Caroline, how was the weather?" },
    { speaker: "Caroline", content: "Sunny, 天气很好." },
    { type: "session", session: 2 },
    { speaker: "Melanie", content: "Back to work today.", timestamp: "2024-03-05T10:00:00+08:00" },
  ];
  return lines.map((line) => JSON.stringify(line)).join("\n");
}

/** A long conversation: `turns` user/assistant pairs, a tool call every 50th turn, a new session every 100. */
export function longConversation(turns: number): string {
  const start = Date.parse("2023-01-01T00:00:00.000Z");
  const out: string[] = [];
  for (let turn = 0; turn < turns; turn += 1) {
    const timestamp = new Date(start + turn * 60_000).toISOString();
    const session = `day-${Math.floor(turn / 100)}`;
    const user = turn % 3 === 0 ? `第${turn}轮：我们讨论了天气和数据库索引，编号 ${turn}。` : `Turn ${turn}: tell me something about topic number ${turn}, please.`;
    out.push(JSON.stringify({ role: "user", content: user, timestamp, session }));
    if (turn % 50 === 25) {
      out.push(JSON.stringify({ role: "assistant", content: "", timestamp, session, tool_calls: [{ id: `call_${turn}`, name: "calculator", args: { expression: `${turn}*2` } }] }));
      out.push(JSON.stringify({ role: "tool", name: "calculator", content: String(turn * 2), timestamp, session, tool_call_id: `call_${turn}` }));
    }
    out.push(JSON.stringify({ role: "assistant", content: `Answer ${turn}: here is what I know about topic ${turn}.`, timestamp, session }));
  }
  return `${out.join("\n")}\n`;
}
