import { describe, expect, it } from "vitest";
import { useDatabaseAndDir } from "../helpers/use-database-and-dir.js";
import { startTestServer } from "../helpers/test-server.js";
import { chat, TestWsClient } from "../helpers/ws-client.js";

interface Target {
  name: string;
  options: () => { databaseUrl?: string; dataDir?: string };
}

const scratch = useDatabaseAndDir();

const targets: Target[] = [
  { name: "Postgres", options: () => ({ databaseUrl: scratch.database.url }) },
  { name: "embedded PGlite", options: () => ({ dataDir: scratch.directory.path }) },
];

describe.each(targets)("two windows, tool calls, restart ($name)", (target) => {
  it("keeps both sessions, their history and their state across a restart", async () => {
    let desktopThread: string;
    let phoneThread: string;
    {
      await using server = await startTestServer(target.options());
      await using desktop = await TestWsClient.connect(server.wsUrl);
      await using phone = await TestWsClient.connect(server.wsUrl);
      const desktopSession = await desktop.call<{ thread_id: string; created: boolean }>("thread.open", { window_id: "desktop" });
      const phoneSession = await phone.call<{ thread_id: string; created: boolean }>("thread.open", { window_id: "phone-tab-2" });
      expect(desktopSession.created).toBe(true);
      expect(phoneSession.thread_id).not.toBe(desktopSession.thread_id);
      desktopThread = desktopSession.thread_id;
      phoneThread = phoneSession.thread_id;

      const first = await chat(desktop, desktopThread, "hello from the desktop");
      expect(first.final.event).toBe("run.completed");
      const deltas = desktop.events(desktopThread).filter((frame) => frame.event === "message.delta" && frame.run_id === first.runId);
      expect(deltas.length).toBeGreaterThanOrEqual(2);
      expect(deltas.map((frame) => frame.data?.text).join("")).toBe("You said: hello from the desktop");

      const tool = await chat(phone, phoneThread, '/tool calculator {"expression":"12 * (3 + 4)"}');
      expect(tool.final.event).toBe("run.completed");
      const toolCompleted = await phone.waitForEvent("tool.completed", { run_id: tool.runId });
      expect(toolCompleted.data).toMatchObject({ name: "calculator", output: "84" });
      await chat(desktop, desktopThread, '/tool get_current_time {"time_zone":"Asia/Shanghai"}');
      await chat(phone, phoneThread, "谢谢 and thanks");

      const seqs = desktop.events(desktopThread).map((frame) => frame.seq ?? 0);
      expect(seqs).toEqual([...seqs].sort((left, right) => left - right));
      expect(new Set(seqs).size).toBe(seqs.length);
    }

    await using restarted = await startTestServer(target.options());
    await using desktop = await TestWsClient.connect(restarted.wsUrl);
    const reopened = await desktop.call<{ thread_id: string; created: boolean }>("thread.open", { window_id: "desktop" });
    expect(reopened).toMatchObject({ thread_id: desktopThread, created: false });

    const desktopHistory = await desktop.call<{ messages: { role: string; content: string }[] }>("messages.list", { thread_id: desktopThread });
    expect(desktopHistory.messages.map((message) => message.role)).toEqual(["user", "assistant", "user", "assistant", "tool", "assistant"]);
    expect(desktopHistory.messages[1]?.content).toBe("You said: hello from the desktop");

    const phoneHistory = await desktop.call<{ messages: { role: string; content: string }[] }>("messages.list", { thread_id: phoneThread });
    expect(phoneHistory.messages.at(-1)?.content).toBe("You said: 谢谢 and thanks");
    expect(phoneHistory.messages.find((message) => message.role === "tool")?.content).toBe("84");

    const state = (await (await fetch(`${restarted.url}/threads/${phoneThread}/state`)).json()) as { values: { messages: { type: string }[] } };
    expect(state.values.messages.map((message) => message.type)).toEqual(["human", "ai", "tool", "ai", "human", "ai"]);

    // The conversation continues where it was, and the sequence keeps increasing.
    const lastSeqBefore = desktop.events(desktopThread).length;
    expect(lastSeqBefore).toBe(0);
    const next = await chat(desktop, desktopThread, "still there?");
    expect(next.final.event).toBe("run.completed");
    expect(next.final.seq).toBeGreaterThan(10);
    const after = (await (await fetch(`${restarted.url}/threads/${desktopThread}/state`)).json()) as { values: { messages: unknown[] } };
    expect(after.values.messages).toHaveLength(8);
  });
});
