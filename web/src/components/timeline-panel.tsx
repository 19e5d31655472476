import { useEffect, useRef, useState } from "preact/hooks";
import { forkTitle } from "../state/fork-title.js";
import { useI18n } from "../i18n/i18n-context.js";
import { formatTime } from "../i18n/intl-format.js";
import type { Phrase } from "../i18n/translator.js";
import { checkpointLine, roleName, stateMessageText } from "./checkpoint-wording.js";
import { CloseIcon } from "./icons.js";
import { isCloseKey } from "./stop-key.js";
import type { RpcClient } from "../protocol/rpc-client.js";
import { type CheckpointState, toCheckpointState } from "../state/checkpoint-state.js";
import { markBranches } from "../state/checkpoint-branches.js";
import { errorPhrase } from "../state/error-phrase.js";
import { type CheckpointSummary, checkpointItems } from "../state/checkpoint-summary.js";

const PAGE_SIZE = 30;

/** What the timeline failed to do, each worded with its reason. */
type TimelineFailure = "timeline.loadFailed" | "timeline.stateFailed" | "timeline.forkFailed" | "timeline.replayFailed";

/**
 * The session's checkpoints, newest first: pick one to see the state there, fork a new session from it, or
 * replay from it. Esc closes it from inside. Only mounted when the server answers `state.listCheckpoints`. `revision` changes when a run
 * of the session ends, so the list picks up the checkpoints it wrote (undefined while a run is going).
 */
export function TimelinePanel(props: {
  client: RpcClient;
  threadId: string;
  /** The session's title as the page shows it: a fork is titled after it, in the page's language. */
  title: string | null;
  revision: number | undefined;
  onForked: (threadId: string) => void;
  onClose: () => void;
}) {
  const { client, threadId } = props;
  const i18n = useI18n();
  const { t, locale } = i18n;
  const [items, setItems] = useState<CheckpointSummary[]>([]);
  const [nextBefore, setNextBefore] = useState<string | undefined>(undefined);
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const [snapshot, setSnapshot] = useState<{ state: CheckpointState; raw: string } | undefined>(undefined);
  // Wrapped: a bare function given to a state setter would be called as an updater.
  const [note, setNote] = useState<{ phrase: Phrase } | undefined>(undefined);
  const [problem, setProblem] = useState<{ phrase: Phrase } | undefined>(undefined);
  const fail = (what: TimelineFailure, error: unknown) => setProblem({ phrase: failurePhrase(what, error) });
  const selectedRow = useRef<HTMLLIElement>(null);

  const load = async (before?: string) => {
    try {
      const answer = await client.call<unknown>("state.listCheckpoints", { thread_id: threadId, limit: PAGE_SIZE, ...(before ? { before } : {}) });
      const page = checkpointItems(answer, PAGE_SIZE);
      // An older page is appended once even if "Older checkpoints" was pressed twice before it came back.
      setItems((previous) => (before ? appendPage(previous, page.items) : page.items));
      // The server's `next_before` (null on the last page) decides whether there is an older page.
      setNextBefore(page.nextBefore);
    } catch (error) {
      fail("timeline.loadFailed", error);
    }
  };

  useEffect(() => {
    setItems([]);
    setSelected(undefined);
    setSnapshot(undefined);
    setNote(undefined);
    setProblem(undefined);
  }, [threadId]);

  // The newest page again whenever the session changes or one of its runs ends; the selection stays.
  useEffect(() => {
    if (props.revision !== undefined) void load();
  }, [threadId, props.revision]);

  // Bring the selected row and its state into view (its top first, when both do not fit); focus stays on the
  // row, and Tab goes on to Fork / Replay right below it.
  useEffect(() => {
    selectedRow.current?.scrollIntoView({ block: "nearest" });
  }, [selected, snapshot]);

  const select = async (checkpointId: string) => {
    setSelected(checkpointId);
    setSnapshot(undefined);
    setNote(undefined);
    try {
      const state = await client.call<unknown>("state.get", { thread_id: threadId, checkpoint_id: checkpointId });
      const values = (state as { values?: unknown }).values ?? state;
      setSnapshot({ state: toCheckpointState(state), raw: JSON.stringify(values, null, 2) });
    } catch (error) {
      fail("timeline.stateFailed", error);
    }
  };

  const act = async (action: "fork" | "replay") => {
    if (!selected) return;
    setProblem(undefined);
    try {
      if (action === "fork") {
        const title = forkTitle(props.title ?? t("session.untitled"), (base) => t("timeline.forkTitle", { title: base }));
        const forked = await client.call<{ thread_id: string }>("state.fork", { thread_id: threadId, checkpoint_id: selected, title });
        props.onForked(forked.thread_id);
      } else {
        await client.call("run.start", { thread_id: threadId, checkpoint_id: selected });
        setNote({ phrase: ({ t: translate }) => translate("timeline.replaying") });
      }
    } catch (error) {
      fail(action === "fork" ? "timeline.forkFailed" : "timeline.replayFailed", error);
    }
  };

  const current = items.find((item) => item.checkpoint_id === selected);
  // The state shows right under its row (or at the end if the row is not loaded any more), so it is in view.
  const detail = (
    <section id="checkpoint-detail" class="checkpoint-detail" aria-label={t("timeline.detail")}>
      <div class="approval-actions">
        <button type="button" class="button" onClick={() => void act("fork")}>
          {t("timeline.fork")}
        </button>
        <button type="button" class="button" onClick={() => void act("replay")}>
          {t("timeline.replay")}
        </button>
      </div>
      {note && (
        <p class="run-note" role="status">
          {note.phrase(i18n)}
        </p>
      )}
      {snapshot && (
        <>
          <h3 class="checkpoint-detail-title">
            {t("common.colon", { label: current?.node ?? t("timeline.state"), text: t("timeline.messageCount", { count: snapshot.state.messages.length }) })}
            {snapshot.state.next.length > 0 ? ` · ${t("timeline.next", { nodes: snapshot.state.next.join(", ") })}` : ""}
          </h3>
          {snapshot.state.summary && (
            <div class="state-summary">
              <span class="state-role">{t("timeline.summaryOf", { count: snapshot.state.summary.messageCount })}</span>{" "}
              {snapshot.state.summary.text}
            </div>
          )}
          <ol class="state-messages">
            {snapshot.state.messages.map((message, index) => (
              <li key={index}>
                <span class="state-role">{roleName(message.role, i18n, message.toolName)}</span> {stateMessageText(message, i18n)}
              </li>
            ))}
          </ol>
          <details>
            <summary>{t("timeline.raw")}</summary>
            <pre class="state-snapshot">{snapshot.raw}</pre>
          </details>
        </>
      )}
    </section>
  );
  return (
    <aside
      class="timeline-panel"
      id="timeline-panel"
      aria-label={t("timeline.title")}
      onKeyDown={(event) => {
        if (!isCloseKey(event)) return;
        event.preventDefault();
        props.onClose();
      }}
    >
      <div class="panel-header">
        <h2>{t("timeline.title")}</h2>
        <button type="button" class="icon-button timeline-close" aria-label={t("timeline.close")} onClick={props.onClose}>
          <CloseIcon />
        </button>
      </div>
      {problem && (
        <p class="form-error" role="alert">
          {problem.phrase(i18n)}
        </p>
      )}
      {items.length === 0 && !problem && <p class="run-note">{t("timeline.empty")}</p>}
      <ol class="checkpoint-list">
        {markBranches(items).map((item) => (
          <li key={item.checkpoint_id} ref={item.checkpoint_id === selected ? selectedRow : undefined}>
            {item.branchFrom && (
              <p class="checkpoint-branch" data-branch-from={item.branchFrom} title={item.branchFrom}>
                {t("timeline.branchFrom", { id: shortId(item.branchFrom) })}
              </p>
            )}
            <button
              type="button"
              class={item.onCurrentBranch ? "checkpoint-button" : "checkpoint-button off-branch"}
              data-checkpoint-id={item.checkpoint_id}
              aria-pressed={item.checkpoint_id === selected}
              aria-controls={item.checkpoint_id === selected ? "checkpoint-detail" : undefined}
              title={item.onCurrentBranch ? undefined : t("timeline.offBranch")}
              onClick={() => void select(item.checkpoint_id)}
            >
              <span class="checkpoint-node">
                {item.node ?? t("timeline.checkpoint")}
                {item.step !== undefined && <span class="checkpoint-step"> · {t("timeline.step", { step: item.step })}</span>}
              </span>
              {item.created_at && <time dateTime={item.created_at}>{formatTime(locale, item.created_at)}</time>}
              <span class="checkpoint-summary">{checkpointLine(item, i18n) ?? t("timeline.noMessages")}</span>
            </button>
            {item.checkpoint_id === selected && detail}
          </li>
        ))}
      </ol>
      {nextBefore && (
        <button type="button" class="link-button" onClick={() => void load(nextBefore)}>
          {t("timeline.older")}
        </button>
      )}
      {selected && !current && detail}
    </aside>
  );
}

/** A failure in the page's words around its reason: a lost connection in the page's words too, else the server's message. */
function failurePhrase(what: TimelineFailure, error: unknown): Phrase {
  const reason = errorPhrase(error);
  return (i18n) => i18n.t(what, { error: reason(i18n) });
}

function appendPage(items: CheckpointSummary[], page: CheckpointSummary[]): CheckpointSummary[] {
  const known = new Set(items.map((item) => item.checkpoint_id));
  return [...items, ...page.filter((item) => !known.has(item.checkpoint_id))];
}

/** The distinguishing end of a checkpoint id (uuid6 ids share their time-ordered start). */
function shortId(checkpointId: string): string {
  return checkpointId.slice(-8);
}
