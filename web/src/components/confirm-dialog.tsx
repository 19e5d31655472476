import { useEffect, useRef } from "preact/hooks";
import { useI18n } from "../i18n/i18n-context.js";

/**
 * A modal yes/no question (native <dialog>: focus is trapped and Esc cancels). When it goes away, focus goes
 * back to the control that opened it; after a confirm, to `focusAfterConfirm()` when that names a control (the
 * opener may be about to disappear, e.g. with the deleted session).
 */
export function ConfirmDialog(props: {
  title: string;
  body: string;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  focusAfterConfirm?: () => HTMLElement | null;
}) {
  const { t } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  const confirmed = useRef(false);
  const latest = useRef(props);
  latest.current = props;
  useEffect(() => {
    const element = dialog.current;
    const opener = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null;
    if (element && !element.open) element.showModal();
    return () => {
      // Still modal while unmounting: close first, or everything outside is inert and cannot take focus.
      if (element?.open) element.close();
      const afterConfirm = confirmed.current ? latest.current.focusAfterConfirm?.() : null;
      const target = afterConfirm ?? (opener?.isConnected ? opener : null);
      target?.focus();
    };
  }, []);
  return (
    <dialog ref={dialog} class="dialog" aria-labelledby="confirm-title" onCancel={props.onCancel}>
      <h2 id="confirm-title">{props.title}</h2>
      <p>{props.body}</p>
      <div class="dialog-actions">
        <button type="button" class="button" onClick={props.onCancel} autofocus>
          {t("common.cancel")}
        </button>
        <button
          type="button"
          class="button button-danger"
          onClick={() => {
            confirmed.current = true;
            props.onConfirm();
          }}
        >
          {props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
