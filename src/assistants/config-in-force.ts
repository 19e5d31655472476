import { assistantSettingsSchema } from "./assistant-settings.js";

/**
 * An assistant's `config` after its settings changed: each setting its `config.configurable` names (`tools`,
 * `temperature`…, which a create or update may give there) takes the value now in force, or is dropped when the
 * setting was removed. Settings live in `context`; without this, an update of `context` left `config.configurable`
 * advertising the old value (and passing it to graphs that read their configurable), while runs used the new one.
 */
export function configInForce(config: Record<string, unknown>, settings: Record<string, unknown>): Record<string, unknown> {
  const configurable = config.configurable;
  if (typeof configurable !== "object" || configurable === null || Array.isArray(configurable)) return config;
  const known = Object.keys(assistantSettingsSchema.shape);
  const named = Object.keys(configurable).filter((key) => known.includes(key));
  if (named.length === 0) return config;
  const synced: Record<string, unknown> = { ...(configurable as Record<string, unknown>) };
  for (const key of named) {
    if (key in settings) synced[key] = settings[key];
    else delete synced[key];
  }
  return { ...config, configurable: synced };
}
