import { useEffect, useState } from "preact/hooks";
import type { ConnectionStatus, RpcClient } from "../protocol/rpc-client.js";
import { emptyThreadState, type ThreadState } from "./thread-state.js";
import type { ThreadSync } from "./thread-sync.js";

/** The state of the thread a ThreadSync follows, re-rendering on every change. */
export function useThreadState(sync: ThreadSync | undefined): ThreadState {
  const [state, setState] = useState<ThreadState>(() => sync?.state ?? emptyThreadState());
  useEffect(() => {
    setState(sync?.state ?? emptyThreadState());
    return sync?.subscribe(setState);
  }, [sync]);
  return state;
}

/** The connection status, re-rendering on change. */
export function useConnectionStatus(client: RpcClient): ConnectionStatus {
  const [status, setStatus] = useState<ConnectionStatus>(client.status);
  useEffect(() => {
    setStatus(client.status);
    return client.onStatus(setStatus);
  }, [client]);
  return status;
}
