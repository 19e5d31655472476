import { randomUUID } from "node:crypto";
import { z } from "zod";
import { defineTool } from "../src/tools/tool-definition.js";

/** Save a note for the current user. */
export const notesWrite = defineTool({
  name: "notes_write",
  description:
    "Save a note for the user so it can be found later with notes_search. Use it when the user asks you to " +
    "remember something. Any language is fine.",
  schema: z.object({
    title: z.string().max(200).default("").describe("A short title"),
    body: z.string().min(1).max(20_000).describe("The text to remember"),
  }),
  async execute({ title, body }, context) {
    const noteId = randomUUID();
    await context.db.query("INSERT INTO notes (note_id, user_id, title, body) VALUES ($1, $2, $3, $4)", [
      noteId,
      context.userId,
      title,
      body,
    ]);
    return JSON.stringify({ note_id: noteId, saved: true });
  },
});
