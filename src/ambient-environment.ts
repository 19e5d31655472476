/**
 * Variables LangChain's packages read from the process environment by themselves, behind the back of the parsed
 * configuration: `LANGSMITH_TRACING`/`LANGCHAIN_TRACING_V2` (with an endpoint and key) upload every conversation to
 * LangSmith, `OPENAI_ORGANIZATION`/`OPENAI_PROJECT` add headers to requests to any assistant's own `base_url`.
 * Threadline has no such settings; a developer's shell often has them.
 */
const AMBIENT = [/^LANGSMITH_/, /^LANGCHAIN_/, /^OPENAI_ORGANIZATION$/, /^OPENAI_ORG_ID$/, /^OPENAI_PROJECT$/];

/**
 * Remove those variables from `env` (the process's, once, at start-up, after the configuration was read) so no
 * library acts on them; resolves with the names removed, for a warning. Values are never returned (keys).
 */
export function scrubAmbientEnvironment(env: NodeJS.ProcessEnv): string[] {
  const removed = Object.keys(env).filter((name) => AMBIENT.some((pattern) => pattern.test(name)) && env[name] !== undefined && env[name] !== "");
  for (const name of removed) Reflect.deleteProperty(env, name);
  return removed.sort();
}
