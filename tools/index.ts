import type { ToolDefinition } from "../src/tools/tool-definition.js";
import { calculator } from "./calculator.js";
import { getCurrentTime } from "./get-current-time.js";
import { notesSearch } from "./notes-search.js";
import { notesWrite } from "./notes-write.js";
import { sendEmail } from "./send-email.js";

/** Every built-in tool, by name. Assistants choose from these with their `tools` allow-list. */
export const BUILT_IN_TOOLS: readonly ToolDefinition[] = [getCurrentTime, calculator, notesWrite, notesSearch, sendEmail] as ToolDefinition[];
