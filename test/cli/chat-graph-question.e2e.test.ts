import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { startCli } from "./cli-process.js";
import { SPAWN_TIMEOUT_MS, useCliTestServer } from "./cli-test-server.js";

// A developer's graph asking its own question (`interrupt({question, options})`, test/helpers/question-graph.ts): the
// terminal shows the question with its options and sends the line typed as the answer.
const fixture = useCliTestServer({ LANGGRAPH_CONFIG: fileURLToPath(new URL("../helpers/question-graphs.langgraph.json", import.meta.url)) });

describe("threadline chat with a graph that asks a question", () => {
  it("shows the question, sends the typed line as the answer, and the reply continues", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    await using cli = startCli(["--url", fixture.server.url, "--new", "--assistant", "ask"]);
    cli.writeLine("go");
    await cli.waitFor("stderr", (text) => text.includes("Answer: "));
    expect(cli.stderr).toContain("? Are you sure? [yes / no]\nAnswer: ");
    cli.writeLine("");
    await cli.waitFor("stderr", (text) => text.includes("type an answer"));
    cli.writeLine("yes, 确定");
    await cli.waitFor("stdout", (text) => text.includes("You answered:"));
    expect(cli.stdout).toContain('You answered: "yes, 确定"');
    cli.child.stdin.end();
    expect(await cli.exited).toBe(0);
  });

  it("options that are not strings: their labels are shown, and typing one answers with its value", { timeout: SPAWN_TIMEOUT_MS }, async () => {
    await using cli = startCli(["--url", fixture.server.url, "--new", "--assistant", "pick"]);
    cli.writeLine("go");
    await cli.waitFor("stderr", (text) => text.includes("Answer: "));
    expect(cli.stderr).toContain("? Which size? [Small / Large / 7]\nAnswer: ");
    cli.writeLine("Small");
    await cli.waitFor("stdout", (text) => text.includes("Picked:"));
    expect(cli.stdout).toContain('Picked: {"size":1}');
    cli.child.stdin.end();
    expect(await cli.exited).toBe(0);
  });
});
