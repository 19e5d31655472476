import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { fetchServerInfo, searchAssistants, webSocketUrl } from "../protocol/http-api.js";
import type { Assistant, ServerInfo } from "../protocol/protocol-types.js";
import { RpcClient } from "../protocol/rpc-client.js";
import { useI18n } from "../i18n/i18n-context.js";
import type { Phrase } from "../i18n/translator.js";
import { RpcError } from "../protocol/rpc-error.js";
import { type AuthMode, refusedMessage, revokedWhileOpenMessage, savedRefusedMessage } from "../state/auth-wording.js";
import { loadToken, saveToken } from "../state/browser-storage.js";
import { type LoadFailure, loadFailure } from "../state/load-failure.js";
import { ChatApp } from "./chat-app.js";
import { SignInForm } from "./sign-in-form.js";

type Phase =
  | { kind: "loading" }
  | { kind: "sign-in"; error?: Phrase }
  | { kind: "ready"; assistants: Assistant[]; token: string | undefined }
  | ({ kind: "failed" } & LoadFailure);

/** Finds out whether the server wants a key, checks the remembered one, then shows the chat. */
export function App() {
  const i18n = useI18n();
  const [info, setInfo] = useState<ServerInfo | undefined>(undefined);
  const [phase, setPhase] = useState<Phase>({ kind: "loading" });
  const authMode = useRef<AuthMode>("apikey");
  if (info) authMode.current = info.auth_mode;
  // Each failed load is tried again by itself (a rate limit, a restarting server); `attempt` starts the next try.
  const [attempt, setAttempt] = useState(0);
  const failures = useRef(0);
  const failed = (error: unknown) => {
    failures.current += 1;
    setPhase({ kind: "failed", ...loadFailure(error, failures.current) });
  };

  const signIn = async (serverInfo: ServerInfo, token: string | undefined) => {
    const needsToken = serverInfo.auth_mode !== "none";
    if (needsToken && !token) return setPhase({ kind: "sign-in" });
    try {
      const assistants = await searchAssistants(needsToken ? token : undefined);
      if (needsToken) saveToken(token);
      failures.current = 0;
      setPhase({ kind: "ready", assistants, token: needsToken ? token : undefined });
    } catch (error) {
      if (error instanceof RpcError && error.code === "unauthorized") {
        const wasRemembered = token === loadToken();
        saveToken(undefined);
        return setPhase({ kind: "sign-in", error: wasRemembered ? savedRefusedMessage(serverInfo.auth_mode) : refusedMessage(serverInfo.auth_mode, error.message) });
      }
      failed(error);
    }
    return undefined;
  };

  useEffect(() => {
    fetchServerInfo()
      .then((serverInfo) => {
        setInfo(serverInfo);
        return signIn(serverInfo, loadToken());
      })
      .catch(failed);
  }, [attempt]);

  const retryInMs = phase.kind === "failed" ? phase.retryInMs : undefined;
  useEffect(() => {
    if (retryInMs === undefined) return undefined;
    const timer = setTimeout(() => setAttempt((count) => count + 1), retryInMs);
    return () => clearTimeout(timer);
  }, [phase, retryInMs]);

  const token = phase.kind === "ready" ? phase.token : undefined;
  const ready = phase.kind === "ready";
  const client = useMemo(() => (ready ? new RpcClient({ url: webSocketUrl(token) }) : undefined), [ready, token]);
  useEffect(() => {
    client?.start();
    // A key revoked or a token expired while the page was open: ask to sign in again instead of reconnecting.
    const unsubscribe = client?.onStatus((status) => {
      if (status !== "unauthorized") return;
      saveToken(undefined);
      setPhase({ kind: "sign-in", error: revokedWhileOpenMessage(authMode.current) });
    });
    return () => {
      unsubscribe?.();
      client?.close();
    };
  }, [client]);

  if (phase.kind === "loading") return <p class="page-status">{i18n.t("app.loading")}</p>;
  if (phase.kind === "failed") {
    return (
      <div class="page-status" role="alert">
        <p>{phase.message(i18n)}</p>
        <button
          type="button"
          class="button"
          onClick={() => {
            // Leaving the failed phase clears its timer: one try now, not a second one when the timer fires.
            setPhase({ kind: "loading" });
            setAttempt((count) => count + 1);
          }}
        >
          {i18n.t("app.retryNow")}
        </button>
      </div>
    );
  }
  if (phase.kind === "sign-in" || !info) {
    return <SignInForm authMode={info?.auth_mode ?? "apikey"} error={phase.kind === "sign-in" ? phase.error?.(i18n) : undefined} onSubmit={(value) => info && void signIn(info, value)} />;
  }
  if (!client) return null;
  const signOut =
    info.auth_mode === "none"
      ? undefined
      : () => {
          saveToken(undefined);
          setPhase({ kind: "sign-in" });
        };
  return <ChatApp client={client} assistants={phase.assistants} onSignOut={signOut} />;
}
