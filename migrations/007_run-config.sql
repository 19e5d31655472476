-- Up Migration
-- A run's own configuration, as the run endpoints accept it: assistant setting overrides (from `context` and
-- `config.configurable`, validated like the assistant's own) and LangGraph's `recursion_limit`. NULL: none.
-- Stored on the run so a resumed attempt (after a crash) runs with the same settings.
ALTER TABLE runs ADD COLUMN config jsonb;

-- Down Migration
ALTER TABLE runs DROP COLUMN config;
