import type { ClusterAnnouncement } from "./cluster-notifier.js";
import { type ThreadChangeKind, threadChangeUserKey } from "./thread-change-feed.js";

/**
 * The parameters a statement's change NOTIFY takes: the channel, this instance's id and the user's key (nulls on
 * the embedded database: no other instance to tell).
 */
export function changeAnnouncementParams(announcement: ClusterAnnouncement | undefined, userId: string): [string | null, string | null, string | null] {
  return announcement ? [announcement.channel, announcement.instanceId, threadChangeUserKey(userId)] : [null, null, null];
}

/**
 * The select-list item that NOTIFYs other instances of a change to the row of `source` (a CTE with `thread_id`):
 * `<instance> <thread> <kind> <user key>`, from the parameters `$first` (channel), `$first+1` (instance) and
 * `$first+2` (user key) of `changeAnnouncementParams`; nothing when the channel is null.
 */
export function changeNotifyExpression(source: string, kind: Exclude<ThreadChangeKind, "status">, first: number): string {
  return notifyWhenAnnouncing(first, payloadHead(source, kind, first));
}

/**
 * The same for a thread's new status (`source` has `thread_id`, `status`, `last_activity_at`, `awaiting_human`): the
 * payload ends with ` <status> <last activity, epoch ms> <awaiting human: t|f>`, so receivers tell it without
 * reading the thread. Nothing when the source has no row (the thread was gone).
 */
export function statusNotifyExpression(source: string, first: number): string {
  const tail = `' ' || ${source}.status || ' ' || floor(extract(epoch FROM ${source}.last_activity_at) * 1000)::bigint::text
    || CASE WHEN ${source}.awaiting_human THEN ' t' ELSE ' f' END`;
  return notifyWhenAnnouncing(first, `${payloadHead(source, "status", first)} || ${tail}`, `${source}.thread_id IS NULL`);
}

function payloadHead(source: string, kind: ThreadChangeKind, first: number): string {
  return `$${first + 1}::text || ' ' || ${source}.thread_id::text || ' ${kind} ' || $${first + 2}::text`;
}

function notifyWhenAnnouncing(first: number, payload: string, skip = "false"): string {
  return `CASE WHEN $${first}::text IS NULL OR ${skip} THEN NULL ELSE pg_notify($${first}::text, ${payload}) END AS notified`;
}
