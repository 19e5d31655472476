import { useEffect, useRef } from "preact/hooks";
import { useI18n } from "../i18n/i18n-context.js";

/**
 * The message box: Enter sends, Shift+Enter adds a line, Esc stops the reply while the box is empty. While a reply runs, Stop
 * appears beside Send, and a message sent then is queued by the server (`enqueue`) to run after it.
 */
export function Composer(props: {
  value: string;
  onInput: (value: string) => void;
  onSend: () => void;
  onStop: () => void;
  running: boolean;
  disabled: boolean;
}) {
  const { t } = useI18n();
  const area = useRef<HTMLTextAreaElement>(null);

  // Grow with the text up to a limit, then scroll.
  useEffect(() => {
    const element = area.current;
    if (!element) return;
    element.style.height = "auto";
    element.style.height = `${Math.min(element.scrollHeight, 240)}px`;
  }, [props.value]);

  const onKeyDown = (event: KeyboardEvent) => {
    // An Enter that confirms an IME candidate (Chinese, Japanese input) must not send: Chrome and Firefox say
    // isComposing; Safari sends it after compositionend with isComposing false, but keyCode 229.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      if (props.value.trim()) props.onSend();
    }
  };

  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        if (props.value.trim()) props.onSend();
      }}
    >
      <label for="composer-input" class="visually-hidden">
        {t("composer.label")}
      </label>
      <textarea
        id="composer-input"
        ref={area}
        rows={1}
        value={props.value}
        placeholder={t("composer.placeholder")}
        disabled={props.disabled}
        onInput={(event) => props.onInput(event.currentTarget.value)}
        onKeyDown={onKeyDown}
      />
      {props.running && (
        <button
          type="button"
          class="button button-stop"
          aria-keyshortcuts="Escape"
          onClick={() => {
            // The button leaves once the reply has stopped: focus waits in the box, not on the page.
            area.current?.focus();
            props.onStop();
          }}
        >
          {t("composer.stop")}
        </button>
      )}
      <button
        type="submit"
        class="button button-primary"
        title={props.running ? t("composer.queuedHint") : undefined}
        disabled={props.disabled || !props.value.trim()}
      >
        {t("composer.send")}
      </button>
    </form>
  );
}
