import { AppError } from "../../src/errors/app-error.js";
import type { AssistantPort, RunSubmitter, SubmitRunRequest, ThreadPort } from "../../src/jobs/run-ports.js";
import type { SessionStore } from "../../src/sessions/session-store.js";

/** A run core stand-in that records every submission and dedupes by client_message_id, like the real one. */
export class RecordingRunSubmitter implements RunSubmitter {
  readonly calls: { userId: string; request: SubmitRunRequest; at: number; duplicate: boolean }[] = [];
  failNext: AppError | Error | undefined;

  submit(userId: string, request: SubmitRunRequest) {
    if (this.failNext) {
      const error = this.failNext;
      this.failNext = undefined;
      return Promise.reject(error);
    }
    const duplicate = this.calls.some((call) => call.request.thread_id === request.thread_id && call.request.client_message_id === request.client_message_id);
    this.calls.push({ userId, request, at: Date.now(), duplicate });
    return Promise.resolve({ run: { run_id: `run-${this.calls.length}`, thread_id: request.thread_id }, duplicate });
  }

  /** Submissions that created a run (not deduplicated retries). */
  get runs() {
    return this.calls.filter((call) => !call.duplicate);
  }
}

/** Threads over the real session store, as SessionService would expose them. */
export function threadPortOver(store: SessionStore): ThreadPort {
  return {
    get: (userId, threadId) => store.get(userId, threadId),
    createWithId: (userId, params) => store.createWithId({ userId, assistantId: params.assistant_id ?? "chat", threadId: params.thread_id, metadata: params.metadata, title: params.title }),
    delete: (userId, threadId) => store.delete(userId, threadId),
  };
}

/** Assistants: the graph name "chat" and anything starting with "asst-" exist for everyone. */
export const fakeAssistants: AssistantPort = {
  get: (_userId, assistantId) =>
    assistantId === "chat" || assistantId.startsWith("asst-")
      ? Promise.resolve({ assistant_id: assistantId })
      : Promise.reject(new AppError("not_found", `Assistant ${assistantId} not found`)),
};
