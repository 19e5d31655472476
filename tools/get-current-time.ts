import { z } from "zod";
import { defineTool, ToolInputError } from "../src/tools/tool-definition.js";

/** The current date and time in an IANA time zone. */
export const getCurrentTime = defineTool({
  name: "get_current_time",
  description:
    "Get the current date and time. Pass an IANA time zone such as 'Europe/Paris' or 'Asia/Shanghai' " +
    "to get the local time there; defaults to UTC.",
  schema: z.object({
    time_zone: z.string().min(1).max(64).default("UTC").describe("IANA time zone name, e.g. America/New_York"),
  }),
  execute({ time_zone }) {
    let formatter: Intl.DateTimeFormat;
    try {
      formatter = new Intl.DateTimeFormat("en-CA", {
        timeZone: time_zone,
        dateStyle: "full",
        timeStyle: "long",
      });
    } catch {
      return Promise.reject(new ToolInputError(`Unknown time zone "${time_zone}". Use an IANA name like Asia/Tokyo.`));
    }
    const now = new Date();
    return Promise.resolve(JSON.stringify({ time_zone, iso: now.toISOString(), local: formatter.format(now) }));
  },
});
