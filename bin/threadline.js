#!/usr/bin/env node
// Threadline runs its TypeScript sources directly (graphs and tools in langgraph.json are .ts too).
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
