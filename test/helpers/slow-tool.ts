import { z } from "zod";
import { defineTool } from "../../src/tools/tool-definition.js";
import { BUILT_IN_TOOLS } from "../../tools/index.js";

/** A tool that takes `ms` milliseconds and honours cancellation, for tests of cancel during a tool. */
export const slowTool = defineTool({
  name: "slow_task",
  description: "Waits, then reports done.",
  schema: z.object({ ms: z.number().int().min(0).max(60_000) }),
  execute: ({ ms }, context) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => resolve(`done after ${ms} ms`), ms);
      context.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        reject(new Error("aborted"));
      });
    }),
});

/** The built-in tools plus the slow one. */
export const TOOLS_WITH_SLOW = [...BUILT_IN_TOOLS, slowTool];

/** `slow_task` that asks a human first, for tests of what happens to an approved call while it runs. */
export const slowApprovalTool = defineTool({ ...slowTool, name: "slow_approved_task", description: "Waits after a human approved, then reports done.", requiresApproval: true });

/** The built-in tools plus the slow ones (with and without approval). */
export const TOOLS_WITH_SLOW_APPROVAL = [...TOOLS_WITH_SLOW, slowApprovalTool];

/** A tool that returns `chars` characters, for tests of the tool output cap. */
export const bigOutputTool = defineTool({
  name: "big_output",
  description: "Returns a long text.",
  schema: z.object({ chars: z.number().int().min(0).max(10_000_000) }),
  execute: ({ chars }) => Promise.resolve("汉x".repeat(Math.ceil(chars / 2)).slice(0, chars)),
});
