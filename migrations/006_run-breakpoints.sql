-- Up Migration
-- LangGraph's static breakpoints per run (`interrupt_before` / `interrupt_after` of the run endpoints): node names,
-- or {'*'} for every node. NULL: none. Stored on the run so a resumed attempt (after a crash) stops at the same places.
ALTER TABLE runs ADD COLUMN interrupt_before text[], ADD COLUMN interrupt_after text[];

-- Down Migration
ALTER TABLE runs DROP COLUMN interrupt_before, DROP COLUMN interrupt_after;
