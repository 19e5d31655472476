import { isApprovalRequest } from "../agent/approval.js";
import type { PendingInterrupt } from "../events/thread-event.js";
import type { GraphStateSnapshot } from "../registry/graph-registry.js";

/** The approval questions a checkpointed state is waiting on. */
export function pendingInterrupts(state: Pick<GraphStateSnapshot, "tasks">): PendingInterrupt[] {
  return state.tasks.flatMap((task) =>
    (task.interrupts ?? []).flatMap((pending) =>
      isApprovalRequest(pending.value) && pending.id
        ? [{ id: pending.id, tool_call_id: pending.value.tool_call_id, name: pending.value.name, args: pending.value.args }]
        : [],
    ),
  );
}
