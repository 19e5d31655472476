import { Command, Option } from "commander";
import { type CommonFlags, configFrom, withDatabaseOptions, withServices } from "./cli/command-context.js";
import { registerChatCommand } from "./cli/chat-command.js";
import { registerModelsCommand } from "./cli/models-command.js";
import { registerThreadsCommand } from "./cli/threads-command.js";
import { registerCheckpointsCommand } from "./checkpoint/checkpoints-command.js";

const program = new Command("threadline").description("Graph-based stateful agent runtime").showHelpAfterError();

withDatabaseOptions(program.command("serve").description("migrate, then serve HTTP and WebSocket"))
  .addOption(new Option("--port <port>", "port to listen on (env PORT)"))
  .addOption(new Option("--host <host>", "interface to bind (env HOST)"))
  .addOption(new Option("--model <provider:model>", "default model (env MODEL)"))
  .addOption(new Option("--auth-mode <mode>", "none|apikey|jwt (env AUTH_MODE)"))
  .addOption(new Option("--allow-insecure-bind", "allow AUTH_MODE=none on a non-loopback host (env ALLOW_INSECURE_BIND)"))
  .addOption(new Option("--config <path>", "langgraph.json (env LANGGRAPH_CONFIG)"))
  .action(async (flags: CommonFlags) => {
    const config = configFrom(flags);
    const { startServer } = await import("./app.js");
    const server = await startServer({ config });
    const stop = () => {
      void server.close().then(() => process.exit(0));
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });

withDatabaseOptions(program.command("migrate").description("apply database migrations and exit")).action(async (flags: CommonFlags) => {
  // The job queue's tables too: after this, `serve` creates nothing and may run as a role with DML rights only.
  await withServices(flags, (services) => services.jobs.jobs.install());
  process.stdout.write("migrations applied\n");
});

const keys = program.command("keys").description("manage API keys (AUTH_MODE=apikey)");
withDatabaseOptions(keys.command("create").description("create a key; it is printed once"))
  .requiredOption("--user <id>", "the user the key authenticates as")
  .option("--name <name>", "a label for the key")
  .action(async (flags: CommonFlags & { user: string; name?: string }) => {
    const { key, info } = await withServices(flags, (services) => services.apiKeys.create(flags.user, flags.name));
    process.stdout.write(`${key}\n`);
    process.stderr.write(`key ${info.key_id} for user ${info.user_id} — store it now, it is not shown again\n`);
  });
withDatabaseOptions(keys.command("list").description("list keys (never the keys themselves)"))
  .option("--user <id>", "only this user's keys")
  .action(async (flags: CommonFlags & { user?: string }) => {
    const list = await withServices(flags, (services) => services.apiKeys.list(flags.user));
    for (const key of list) {
      process.stdout.write(`${key.key_id}\t${key.user_id}\t${key.key_prefix}…\t${key.name ?? ""}\t${key.revoked_at ? `revoked ${key.revoked_at}` : "active"}\n`);
    }
  });
withDatabaseOptions(keys.command("revoke").description("revoke a key by id").argument("<key-id>")).action(async (keyId: string, flags: CommonFlags) => {
  const { revoked_at: at, already } = await withServices(flags, (services) => services.apiKeys.revoke(keyId));
  process.stdout.write(already ? `${keyId} was already revoked (${at.toISOString()})\n` : `revoked ${keyId}\n`);
});

registerModelsCommand(program);
registerChatCommand(program);
registerThreadsCommand(program);
registerCheckpointsCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`threadline: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
