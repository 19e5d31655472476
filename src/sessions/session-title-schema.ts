import { z } from "zod";

/**
 * A session title a client gives (creation, rename, fork, import): trimmed, at least one visible character, at
 * most 500. A blank title would list as an empty row and keep the first message from titling the session; leave
 * it out for an untitled session instead (every window then shows *New chat* in its own language).
 */
export const sessionTitleSchema = z
  .string()
  .trim()
  .min(1, "A title needs at least one visible character; leave it out for an untitled session")
  .max(500);
