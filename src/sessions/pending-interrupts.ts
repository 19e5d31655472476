import { isApprovalRequest } from "../agent/approval.js";
import type { PendingInterrupt } from "../events/thread-event.js";
import type { GraphStateSnapshot } from "../registry/graph-registry.js";

/**
 * What a checkpointed state is waiting on a human for: the built-in graphs' tool approvals, and any other
 * `interrupt(value)` of a developer's graph as a question (its value as given).
 */
export function pendingInterrupts(state: Pick<GraphStateSnapshot, "tasks">): PendingInterrupt[] {
  return waitingTasks(state.tasks).flatMap((task) =>
    (task.interrupts ?? []).flatMap((pending): PendingInterrupt[] => {
      if (!pending.id) return [];
      if (isApprovalRequest(pending.value)) return [{ id: pending.id, tool_call_id: pending.value.tool_call_id, name: pending.value.name, args: pending.value.args }];
      return [{ id: pending.id, kind: "question", value: pending.value ?? null }];
    }),
  );
}

/**
 * The tasks still waiting on their interrupts. A task with a result has run: its interrupts were answered (one of
 * several asked in parallel), whatever LangGraph still lists on it.
 */
export function waitingTasks<Task extends { result?: unknown }>(tasks: readonly Task[]): Task[] {
  return tasks.filter((task) => task.result === undefined);
}
