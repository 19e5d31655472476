/** A checkpoint as retention sees it. */
export interface RetentionRow {
  namespace: string;
  id: string;
  parent: string | null;
  /** `metadata.source`: input, loop, update or fork. */
  source: string | null;
  /** `metadata.run_id`: the run that wrote it (recorded for runs checkpointed only at exit, `SAVER_RUN_ID_KEY`). */
  run?: string | null;
  /** `checkpoint.channel_versions`. */
  versions: Record<string, number | string>;
  /** It has an interrupt or error write: a run stopped here (waiting for a human, or failed). */
  stopped: boolean;
}

/** A blob row, by key. */
export interface BlobKey {
  namespace: string;
  channel: string;
  version: string;
}

/** What to do with the checkpoints of one thread written after its mark. */
export interface PruneDecision {
  prune: { namespace: string; id: string }[];
  /** Kept checkpoints whose parent goes: their new parent is the nearest kept ancestor (or none). */
  relink: { namespace: string; id: string; parent: string | null }[];
  /** Blobs created by pruned checkpoints that no kept checkpoint refers to. */
  blobs: BlobKey[];
  /** The new mark (the last checkpoint decided), or undefined when nothing was old enough. */
  mark: string | undefined;
}

/** Sources of checkpoints that are states on their own: a human edited or forked the thread there. */
const KEPT_SOURCES = new Set(["update", "fork"]);
/** Sources of a checkpoint that starts a new run (or edit) from its parent: the parent is where a turn ended. */
const TURN_STARTS = new Set(["input", "update", "fork"]);

/**
 * Decide which checkpoints older than `cutoffId` (rows sorted by id) are intermediate and go. A checkpoint is
 * kept when a turn ended there — nothing continued from it (the latest of a branch), a new run, edit or fork
 * started from it (its child is an input, edit or fork, or was written by another run: a run checkpointed only at
 * exit leaves no input checkpoint), or its run stopped there on an interrupt or error — or when it was itself an
 * edit or a fork. Everything else is a super-step inside a run and is pruned.
 */
export function decidePrune(rows: readonly RetentionRow[], context: { cutoffId: string; parentVersions: Map<string, Record<string, number | string>> }): PruneDecision {
  const byKey = new Map(rows.map((row) => [keyOf(row.namespace, row.id), row]));
  const children = childrenOf(rows);
  const old = rows.filter((row) => row.id < context.cutoffId);
  const pruned = new Set(old.filter((row) => !isTurnFinal(row, children.get(keyOf(row.namespace, row.id)))).map((row) => keyOf(row.namespace, row.id)));
  const kept = rows.filter((row) => !pruned.has(keyOf(row.namespace, row.id)));
  return {
    prune: old.filter((row) => pruned.has(keyOf(row.namespace, row.id))).map(({ namespace, id }) => ({ namespace, id })),
    relink: kept.flatMap((row) => relinkOf(row, { byKey, pruned })),
    blobs: orphanedBlobs(rows.filter((row) => pruned.has(keyOf(row.namespace, row.id))), { byKey, kept, parentVersions: context.parentVersions }),
    mark: old.at(-1)?.id,
  };
}

function isTurnFinal(row: RetentionRow, children: RetentionRow[] | undefined): boolean {
  if (row.stopped || KEPT_SOURCES.has(row.source ?? "")) return true;
  if (!children || children.length === 0) return true;
  return children.some((child) => TURN_STARTS.has(child.source ?? "") || (typeof child.run === "string" && child.run !== row.run));
}

function childrenOf(rows: readonly RetentionRow[]): Map<string, RetentionRow[]> {
  const children = new Map<string, RetentionRow[]>();
  for (const row of rows) {
    if (!row.parent) continue;
    const key = keyOf(row.namespace, row.parent);
    children.set(key, [...(children.get(key) ?? []), row]);
  }
  return children;
}

function relinkOf(row: RetentionRow, scope: { byKey: Map<string, RetentionRow>; pruned: Set<string> }): PruneDecision["relink"] {
  if (!row.parent || !scope.pruned.has(keyOf(row.namespace, row.parent))) return [];
  let parent: string | null = row.parent;
  while (parent !== null && scope.pruned.has(keyOf(row.namespace, parent))) parent = scope.byKey.get(keyOf(row.namespace, parent))?.parent ?? null;
  return [{ namespace: row.namespace, id: row.id, parent }];
}

/**
 * Blobs a pruned checkpoint created (its versions that differ from its parent's) and that no kept checkpoint
 * names. Only descendants can name a blob a checkpoint created, and all of them were written after it, so the
 * rows after the mark are enough. A pruned checkpoint whose parent is unknown creates no deletions (safe side).
 */
function orphanedBlobs(pruned: RetentionRow[], scope: { byKey: Map<string, RetentionRow>; kept: RetentionRow[]; parentVersions: Map<string, Record<string, number | string>> }): BlobKey[] {
  const referenced = new Set(scope.kept.flatMap((row) => Object.entries(row.versions).map(([channel, version]) => blobKey(row.namespace, channel, version))));
  const orphans = new Map<string, BlobKey>();
  for (const row of pruned) {
    const parentKey = row.parent ? keyOf(row.namespace, row.parent) : undefined;
    const parentVersions = parentKey === undefined ? {} : (scope.byKey.get(parentKey)?.versions ?? scope.parentVersions.get(parentKey));
    if (!parentVersions) continue;
    for (const [channel, version] of Object.entries(row.versions)) {
      if (parentVersions[channel] !== undefined && String(parentVersions[channel]) === String(version)) continue;
      const key = blobKey(row.namespace, channel, version);
      if (!referenced.has(key)) orphans.set(key, { namespace: row.namespace, channel, version: String(version) });
    }
  }
  return [...orphans.values()];
}

function keyOf(namespace: string, id: string): string {
  return `${namespace}\u0000${id}`;
}

function blobKey(namespace: string, channel: string, version: number | string): string {
  return `${namespace}\u0000${channel}\u0000${String(version)}`;
}
