import { describe, expect, it } from "vitest";
import { useHttpRunsServer, type Values } from "./http-runs-fixture.js";

// LangGraph clients give their messages ids and find them again by those ids (agent-chat-ui keys its optimistic
// messages by them): a run's input keeps them, in the state and the transcript.
const fixture = useHttpRunsServer();
const { alice, newThread } = fixture;

describe("run input message ids", () => {
  it("are kept in the state and the transcript; an id the thread already holds is refused (409), nothing written", async () => {
    const threadId = await newThread();
    const input = (id: string, content: string) => ({ assistant_id: "chat", input: { messages: [{ id, type: "human", content }] } });
    const waited = await alice()<Values & { messages: { id: string; content: string }[] }>("POST", `/threads/${threadId}/runs/wait`, input("my-msg-1", "hello"));
    expect(waited.body.messages.map((message) => [message.id, message.content])[0]).toEqual(["my-msg-1", "hello"]);
    const transcript = await alice()<{ messages: { id: string; content: string }[] }>("GET", `/threads/${threadId}/messages`);
    expect(transcript.body.messages[0]).toMatchObject({ id: "my-msg-1", content: "hello" });

    const again = await alice()<{ code: string; message: string }>("POST", `/threads/${threadId}/runs/wait`, input("my-msg-1", "hello edited"));
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("conflict");
    expect(again.body.message).toMatch(/my-msg-1 is already in thread .*state edit/);
    const after = await alice()<{ messages: unknown[] }>("GET", `/threads/${threadId}/messages`);
    expect(after.body.messages).toHaveLength(2);

    const twice = await alice()<{ code: string; message: string }>("POST", `/threads/${threadId}/runs`, {
      assistant_id: "chat",
      input: { messages: [{ id: "a", role: "user", content: "one" }, { id: "a", role: "user", content: "two" }] },
    });
    expect(twice.status).toBe(400);
    expect(twice.body.message).toMatch(/give the id a to more than one message/);
    expect((await alice()<{ code: string }>("POST", `/threads/${threadId}/runs`, input(" ", "blank id"))).status).toBe(400);
  });
});
