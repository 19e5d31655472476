import readline from "node:readline";
import { ChatConnection, CommandFailed, lostConnectionText } from "./chat-connection.js";
import type { ChatOptions } from "./chat-options.js";
import { type ChatOutput, ChatSession, type PendingInterrupt, type TurnOutcome } from "./chat-session.js";
import { questionText } from "./question-text.js";
import { answerForLine, questionParts } from "../../events/question-shape.js";
import { ChatExit, EXIT } from "./exit-codes.js";
import { BRACKETED_PASTE_OFF, BRACKETED_PASTE_ON, LineReader } from "./line-reader.js";
import { printOpening, runSlashCommand, type SlashContext } from "./slash-commands.js";
import { terminalStyle } from "./terminal-style.js";
import { terminalLine, terminalText, titleText } from "../terminal-text.js";

/** The process streams the client uses; tests drive it through pipes. */
export interface ChatStreams {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
}

/**
 * `threadline chat`: connect, open the session, then either answer one message (`--once`, or a message on
 * the command line) or read messages line by line. Resolves to the exit code.
 */
export async function runChat(options: ChatOptions, streams: ChatStreams): Promise<number> {
  const output: ChatOutput = { stdout: streams.stdout, stderr: streams.stderr, style: terminalStyle(options.color) };
  const connection = await ChatConnection.connect(options.wsUrl, options.apiKey);
  const session = new ChatSession(connection, output);
  const context: SlashContext = { connection, session, options, output };
  const chatting = chat(context, streams);
  // Once the reader is gone nothing waits for the chat: its later failure (the socket closing) is not news.
  chatting.catch(() => undefined);
  try {
    return await Promise.race([chatting, readerGone(streams)]);
  } finally {
    connection.close();
  }
}

/**
 * Resolves when stdout's reader went away (`| head` had enough, EPIPE): the chat ends quietly with 0, as `threads
 * export | head` does, instead of crashing on an unhandled 'error' event. Other write errors are said (exit 1).
 * The listener stays: writes already on their way fail the same way until the process exits.
 */
function readerGone(streams: ChatStreams): Promise<number> {
  return new Promise((resolve) => {
    streams.stdout.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") resolve(EXIT.ok);
      else {
        streams.stderr.write(`threadline chat: cannot write the reply: ${error.message}\n`);
        resolve(EXIT.failed);
      }
    });
  });
}

async function chat(context: SlashContext, streams: ChatStreams): Promise<number> {
  const { options, output, session } = context;
  const opened = await session.open(openParams(options)).catch((error: unknown) => {
    // --session names a session the server does not have for this user: say so in the terminal's words.
    if (options.session && error instanceof CommandFailed && error.code === "not_found") {
      throw new ChatExit(EXIT.usage, `no session ${options.session} of yours (deleted, or another user's): /sessions lists yours, --new starts one`);
    }
    if (options.assistant && error instanceof CommandFailed && error.code === "not_found") {
      throw new ChatExit(EXIT.usage, `no assistant ${options.assistant}: name a graph id of langgraph.json or an assistant's id (GET /assistants/search lists them)`);
    }
    throw error;
  });
  if (options.once || options.message !== undefined) return await answerOnce(context, options.message ?? (await readAll(streams.stdin)));
  output.stderr.write(output.style.dim(`session ${titleText(opened.title)} · ${opened.thread_id} · /help for commands\n`));
  if (opened.created) await printOpening(context);
  const code = await converse(context, streams);
  // A fresh session is no window's: without its id there is no way back to it from a terminal.
  if (options.fresh && session.threadId) output.stderr.write(output.style.dim(`to continue this session: threadline chat --session ${session.threadId}\n`));
  return code;
}

function openParams(options: ChatOptions): { window_id?: string; thread_id?: string; assistant_id?: string } {
  const assistant = options.assistant ? { assistant_id: options.assistant } : {};
  if (options.session) return { thread_id: options.session };
  if (options.fresh) return assistant;
  return { window_id: options.window, ...assistant };
}

async function answerOnce(context: SlashContext, text: string): Promise<number> {
  const message = text.trim();
  if (!message) throw new ChatExit(EXIT.usage, "nothing to send: pipe a message in or pass it as an argument");
  const stopOnInterrupt = () => void context.session.cancel().catch(() => undefined);
  process.once("SIGINT", stopOnInterrupt);
  // A server that goes away mid-reply is a connection failure (exit 3), not an empty success.
  const lost = new Promise<{ lost: number }>((resolve) => context.connection.onClose((code) => resolve({ lost: code })));
  try {
    const outcome = await Promise.race([context.session.send(message), lost]);
    if ("lost" in outcome) {
      context.output.stderr.write(context.output.style.red(`${lostConnectionText(outcome.lost)}\n`));
      return EXIT.connection;
    }
    if (outcome.status === "interrupted") {
      context.output.stderr.write(`the reply waits for an approval; answer it in an interactive \`threadline chat --session ${context.session.threadId ?? ""}\`\n`);
      return EXIT.needsApproval;
    }
    return reportOutcome(context.output, outcome);
  } finally {
    process.removeListener("SIGINT", stopOnInterrupt);
  }
}

async function converse(context: SlashContext, streams: ChatStreams): Promise<number> {
  const { session, output } = context;
  const interactive = streams.stdin.isTTY === true && streams.stdout.isTTY === true;
  const lines = readline.createInterface({ input: streams.stdin, output: interactive ? streams.stdout : undefined, terminal: interactive });
  let exitCode: number = EXIT.ok;
  let quit: (code: number) => void = () => undefined;
  const quitting = new Promise<number>((resolve) => (quit = resolve));

  // First Ctrl-C stops the reply; a second one (or one with nothing running) leaves.
  const onInterrupt = () => {
    if (session.running && !session.cancelRequested) {
      output.stderr.write(output.style.dim("\n^C stopping the reply (Ctrl-C again to quit)\n"));
      void session.cancel().catch(() => undefined);
      return;
    }
    quit(EXIT.interrupted);
  };
  lines.on("SIGINT", onInterrupt);
  process.on("SIGINT", onInterrupt);
  context.connection.onClose((code) => {
    output.stderr.write(output.style.red(`${lostConnectionText(code)}\n`));
    quit(EXIT.connection);
  });
  // As the web page does: carry on in the window's own session (a fresh one when it was the one deleted).
  session.onDeleted(() => {
    const assistant = context.options.assistant ? { assistant_id: context.options.assistant } : {};
    session
      .open({ window_id: context.options.window, ...assistant })
      .then(async (opened) => {
        output.stderr.write(output.style.dim(`continuing in session ${titleText(opened.title)} · ${opened.thread_id}\n`));
        // The loop is reading the next line, so nothing can be asked here: only say what waits (/switch to it asks).
        await answerWaiting(context, ask, false);
      })
      .catch((error: unknown) => reportError(output, error));
  });

  const reader = new LineReader(lines, interactive ? streams.stdin : undefined);
  if (interactive) streams.stdout.write(BRACKETED_PASTE_ON);
  const youPrompt = output.style.bold("you › ");
  const prompt = () => interactive && lines.prompt();
  // A question reads the next line like any message; in a terminal it is readline's prompt (so line editing
  // redraws it), through pipes it goes to stderr so stdout keeps only replies.
  const ask: Ask = async (question) => {
    if (!interactive) {
      output.stderr.write(question);
      return reader.next();
    }
    lines.setPrompt(question);
    lines.prompt();
    try {
      return await reader.next();
    } finally {
      lines.setPrompt(youPrompt);
    }
  };
  lines.setPrompt(youPrompt);
  const loop = (async () => {
    const waited = await answerWaiting(context, ask, interactive).catch((error: unknown) => {
      reportError(output, error);
      return undefined;
    });
    if (waited?.status === "interrupted") exitCode = EXIT.needsApproval;
    prompt();
    for (let raw = await reader.next(); raw !== undefined; raw = await reader.next()) {
      const line = raw.trim();
      const opens = session.openCount;
      const command = line.startsWith("/") ? await runSlashCommand(line, context).catch((error: unknown) => handledAfter(reportError(output, error))) : "not-a-command";
      if (command === "quit") break;
      // /switch, /fork, /delete of the current one: the session now open may wait, as one opened at start-up may.
      if (session.openCount !== opens) {
        const waited = await answerWaiting(context, ask, interactive).catch((error: unknown) => handledAfter(reportError(output, error)));
        if (typeof waited === "object" && waited.status === "interrupted") exitCode = EXIT.needsApproval;
      }
      if (command === "continue" || command === "retry" || (command === "not-a-command" && line)) {
        const running = command === "not-a-command" ? turn(context, line, ask) : runTurn(context, command, ask);
        const outcome = await running.catch((error: unknown) => {
          reportError(output, error);
          return { status: "error" } satisfies TurnOutcome;
        });
        if (outcome.status === "error" || outcome.status === "timeout") exitCode = EXIT.failed;
        // The input ended before the approval was answered: the run still waits (answer it later, anywhere).
        if (outcome.status === "interrupted") exitCode = EXIT.needsApproval;
      }
      prompt();
    }
    return exitCode;
  })();
  try {
    return await Promise.race([loop, quitting]);
  } finally {
    process.removeListener("SIGINT", onInterrupt);
    if (interactive) streams.stdout.write(BRACKETED_PASTE_OFF);
    lines.close();
  }
}

/** A stopped turn whose approval questions are open again (`run.failed` with `interrupts`). */
function reopened(outcome: TurnOutcome): boolean {
  return outcome.status === "cancelled" && (outcome.interrupts?.length ?? 0) > 0;
}

/** Ask a question and read the answer line; undefined when the input has ended. */
type Ask = (question: string) => Promise<string | undefined>;

async function turn(context: SlashContext, text: string, ask: Ask): Promise<TurnOutcome> {
  return settle(context, await context.session.send(text), ask);
}

/** A turn without a message: `/continue` (a reply paused at a breakpoint) or `/retry` (the newest reply again). */
async function runTurn(context: SlashContext, command: "continue" | "retry", ask: Ask): Promise<TurnOutcome> {
  const first = command === "continue" ? context.session.proceed() : context.session.regenerate();
  return settle(context, await first, ask);
}

/**
 * A session opened waiting for an approval (its reply stopped at a tool that needs one, answered nowhere since): in a
 * terminal the question is asked before the first message; through pipes it is only said (the next line is a message,
 * and a message closes the waiting call as cancelled). Undefined when nothing waits or nothing was asked.
 */
async function answerWaiting(context: SlashContext, ask: Ask, interactive: boolean): Promise<TurnOutcome | undefined> {
  const { interrupts: waiting, pausedBefore } = await context.session.waitingOn();
  const { stderr, style } = context.output;
  if (pausedBefore.length > 0) stderr.write(style.dim(`this session's reply is paused at a breakpoint, before ${pausedBefore.join(", ")}: /continue runs it (a message starts a new turn)\n`));
  if (waiting.length === 0) return undefined;
  if (!interactive) {
    for (const call of waiting) stderr.write(style.dim(`${terminalLine(call.name ?? "a tool")} waits for your approval (answer it in an interactive \`threadline chat\` or the web page; a message closes it as cancelled)\n`));
    return undefined;
  }
  stderr.write(style.dim("this session's reply waits for your approval:\n"));
  return settle(context, { status: "interrupted", interrupts: waiting }, ask);
}

/** Answer the approvals a turn stopped at (and any a stop reopened) until it ends for good. */
async function settle(context: SlashContext, first: TurnOutcome, ask: Ask): Promise<TurnOutcome> {
  let outcome = first;
  while (outcome.status === "interrupted" || reopened(outcome)) {
    // Ctrl-C while an approved tool ran: the tool did not finish, so its question is open again (answer n to drop it).
    if (reopened(outcome)) context.output.stderr.write(context.output.style.dim("(reply stopped before the tool finished: its approval is open again)\n"));
    const answered = await approve(context, outcome.interrupts ?? [], ask);
    if (!answered) {
      context.output.stderr.write("no answer: the reply still waits for an approval (answer it in `threadline chat` or the web page)\n");
      return { ...outcome, status: "interrupted" };
    }
    outcome = answered;
  }
  reportOutcome(context.output, outcome);
  return outcome;
}

/**
 * `Approve? [y/e/n]` for the first pending tool call, then wait for the resumed run: y approves, n rejects
 * (with an optional reason), e runs it with edited arguments. Undefined when the input ends first.
 */
async function approve(context: SlashContext, interrupts: PendingInterrupt[], ask: Ask): Promise<TurnOutcome | undefined> {
  const interrupt = interrupts[0];
  if (!interrupt) return { status: "success" };
  if (interrupt.kind === "question") return answerQuestion(context, interrupt, ask);
  const current = JSON.stringify(interrupt.args ?? {});
  const call = `${terminalLine(interrupt.name ?? "tool")} ${current}`;
  for (;;) {
    const answer = (await ask(`${context.output.style.cyan("⚙")} ${call}\nApprove? [y/e/n] `))?.trim().toLowerCase();
    if (answer === undefined) return undefined;
    try {
      if (answer === "y" || answer === "yes") return await context.session.respond(interrupt.id, { decision: "approve" });
      if (answer === "n" || answer === "no") {
        const reason = (await ask("Reason (optional): "))?.trim();
        if (reason === undefined) return undefined;
        return await context.session.respond(interrupt.id, { decision: "reject", ...(reason ? { reason } : {}) });
      }
      if (answer === "e" || answer === "edit") {
        const edited = await editArguments(context, interrupt.id, current, ask);
        if (edited !== "back") return edited;
        continue;
      }
      context.output.stderr.write("answer y (approve), e (edit the arguments) or n (reject)\n");
    } catch (error) {
      if (error instanceof CommandFailed && error.code === "method_not_found") {
        context.output.stderr.write("approvals are not supported by this server\n");
        return { status: "error", code: "method_not_found" };
      }
      // Answered in another window (or the web page) while this one asked — `conflict` while the answer's run is
      // on its way, `not_found` once it took the question — follow what the thread does now.
      if (error instanceof CommandFailed && (error.code === "conflict" || (error.code === "not_found" && (await answeredElsewhere(context, interrupt.id))))) {
        context.output.stderr.write(context.output.style.dim("(this approval was answered elsewhere)\n"));
        return context.session.settled();
      }
      reportError(context.output, error);
    }
  }
}

/**
 * `e`: the edited arguments, asked again after arguments that are not a JSON object or that the tool refuses (the
 * reason is printed), so a correction is read as arguments; an empty line goes back to `Approve? [y/e/n]`.
 * Other failures (the question answered elsewhere) are the caller's.
 */
async function editArguments(context: SlashContext, interruptId: string, current: string, ask: Ask): Promise<TurnOutcome | undefined | "back"> {
  for (;;) {
    const edited = (await ask(`Arguments as JSON (now ${current}; empty to go back): `))?.trim();
    if (edited === undefined) return undefined;
    if (edited === "") return "back";
    let args: unknown;
    try {
      args = JSON.parse(edited) as unknown;
    } catch (error) {
      reportError(context.output, error);
      continue;
    }
    if (!args || typeof args !== "object" || Array.isArray(args)) {
      reportError(context.output, new Error("the arguments must be a JSON object"));
      continue;
    }
    try {
      return await context.session.respond(interruptId, { decision: "edit", args: args as Record<string, unknown> });
    } catch (error) {
      if (!(error instanceof CommandFailed && error.code === "invalid_request")) throw error;
      reportError(context.output, error);
    }
  }
}

/**
 * A graph's own question (`interrupt(value)`): shown, and the line typed is the answer — an option's value when it
 * names one of the question's options, else the text as typed.
 */
async function answerQuestion(context: SlashContext, interrupt: PendingInterrupt, ask: Ask): Promise<TurnOutcome | undefined> {
  for (;;) {
    const answer = (await ask(`${context.output.style.cyan("?")} ${terminalText(questionText(interrupt.value))}\nAnswer: `))?.trim();
    if (answer === undefined) return undefined;
    if (answer === "") {
      context.output.stderr.write("type an answer (the reply waits for it)\n");
      continue;
    }
    try {
      return await context.session.respond(interrupt.id, answerForLine(answer, questionParts(interrupt.value).options));
    } catch (error) {
      if (error instanceof CommandFailed && (error.code === "conflict" || (error.code === "not_found" && (await answeredElsewhere(context, interrupt.id))))) {
        context.output.stderr.write(context.output.style.dim("(this question was answered elsewhere)\n"));
        return context.session.settled();
      }
      reportError(context.output, error);
    }
  }
}

/** Whether the question `interruptId` is no longer pending on the session (an answer from elsewhere took it). */
async function answeredElsewhere(context: SlashContext, interruptId: string): Promise<boolean> {
  const state = await context.connection.call<{ interrupts?: PendingInterrupt[] }>("state.get", { thread_id: context.session.threadId });
  return !(state.interrupts ?? []).some((pending) => pending.id === interruptId);
}

function reportOutcome(output: ChatOutput, outcome: TurnOutcome): number {
  switch (outcome.status) {
    case "success":
      return EXIT.ok;
    case "cancelled":
      output.stderr.write(output.style.dim("(reply stopped)\n"));
      return EXIT.interrupted;
    case "interrupted":
      return EXIT.needsApproval;
    case "error":
    case "timeout":
      output.stderr.write(output.style.red(`✗ the reply failed: ${terminalText(outcome.message ?? outcome.status)}${outcome.code ? ` (${outcome.code})` : ""}\n`));
      return EXIT.failed;
  }
}

/** A slash command that failed still counts as handled (its error was printed). */
function handledAfter(_reported: true): "handled" {
  return "handled";
}

function reportError(output: ChatOutput, error: unknown): true {
  const message = error instanceof CommandFailed ? `${error.message} (${error.code})` : error instanceof Error ? error.message : String(error);
  output.stderr.write(output.style.red(`✗ ${terminalText(message)}\n`));
  return true;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}

