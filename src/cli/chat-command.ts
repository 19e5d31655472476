import { type Command, Option } from "commander";
import { type ChatFlags, DEFAULT_URL, resolveChatOptions } from "./chat/chat-options.js";
import { runChat } from "./chat/chat-loop.js";
import { ChatExit, EXIT } from "./chat/exit-codes.js";

/**
 * `threadline chat`: a terminal client of the WebSocket protocol.
 * @example echo "hi" | threadline chat --once
 */
export function registerChatCommand(program: Command): void {
  program
    .command("chat")
    .description("chat with an assistant from the terminal (streams replies; /help lists commands)")
    .argument("[message...]", "send this one message, print the reply and exit")
    .addOption(new Option("--url <url>", `server URL (env THREADLINE_URL, default ${DEFAULT_URL})`))
    .addOption(new Option("--api-key <key>", "API key or token (env THREADLINE_API_KEY)"))
    .option("--session <thread-id>", "continue this session")
    .option("--window <id>", "the window whose session to use", "terminal")
    .option("--new", "start a fresh session")
    .option("--assistant <id>", "assistant for a new session")
    .option("--once", "read one message from stdin, print the reply, exit (0 on success)")
    .option("--no-color", "plain output")
    .action(async (words: string[], flags: ChatFlags) => {
      const code = await runChatCommand(words, flags);
      process.exit(code);
    });
}

async function runChatCommand(words: string[], flags: ChatFlags): Promise<number> {
  try {
    const options = resolveChatOptions(flags, words, process.env);
    return await runChat(options, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
  } catch (error) {
    if (error instanceof ChatExit) {
      process.stderr.write(`threadline chat: ${error.message}\n`);
      return error.code;
    }
    process.stderr.write(`threadline chat: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failed;
  }
}
