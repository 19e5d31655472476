import type { z } from "zod";
import type { Services } from "../services.js";
import type { ClientConnection } from "./client-connection.js";

/** A handler of one WebSocket method; params arrive validated by the method's schema. */
export type MethodHandler = (connection: ClientConnection, params: never, services: Services) => Promise<unknown>;

/** A group of WebSocket methods contributed by a feature (crons, search, …): schemas and handlers by name. */
export interface MethodModule {
  params: Record<string, z.ZodType>;
  handlers: Record<string, MethodHandler>;
}

/** Declare a module with its handlers typed from their schemas. */
export function defineMethodModule<Params extends Record<string, z.ZodType>>(module: {
  params: Params;
  handlers: { [Name in keyof Params]: (connection: ClientConnection, params: z.output<Params[Name]>, services: Services) => Promise<unknown> };
}): MethodModule {
  return module;
}
