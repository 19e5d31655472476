import { randomUUID } from "node:crypto";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TranscriptSearch } from "../../src/transcript/transcript-search.js";
import { TranscriptStore } from "../../src/transcript/transcript-store.js";
import { STORAGE_BACKENDS, type StorageBackend } from "../storage/storage-backends.js";

/** Rows each plan node produced, summed over the nodes that read `messages` (EXPLAIN ANALYZE). */
async function rowsReadFromMessages(pool: pg.Pool, sql: string, params: unknown[]): Promise<{ rows: number; seqScan: boolean }> {
  const { rows } = await pool.query<{ "QUERY PLAN": unknown }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params);
  const raw = rows[0]?.["QUERY PLAN"];
  const plan = (typeof raw === "string" ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
  let total = 0;
  let seqScan = false;
  const visit = (node: PlanNode) => {
    if (node["Relation Name"] === "messages") {
      total += (node["Actual Rows"] ?? 0) * (node["Actual Loops"] ?? 1) + (node["Rows Removed by Filter"] ?? 0) + (node["Rows Removed by Index Recheck"] ?? 0);
      if (node["Node Type"] === "Seq Scan") seqScan = true;
    }
    for (const child of node.Plans ?? []) visit(child);
  };
  for (const entry of plan) visit(entry.Plan);
  return { rows: total, seqScan };
}

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Actual Rows"?: number;
  "Actual Loops"?: number;
  "Rows Removed by Filter"?: number;
  "Rows Removed by Index Recheck"?: number;
  Plans?: PlanNode[];
}

for (const backend of STORAGE_BACKENDS) {
  describe(`transcript pagination and search on ${backend.name}`, () => {
    let storage: StorageBackend;
    let transcript: TranscriptStore;
    let search: TranscriptSearch;
    const alice = { long: randomUUID(), cooking: randomUUID() };
    const bobThread = randomUUID();

    async function createThread(threadId: string, userId: string, title: string): Promise<void> {
      await storage.pool.query("INSERT INTO threads (thread_id, user_id, assistant_id, title) VALUES ($1, $2, 'chat', $3)", [threadId, userId, title]);
    }

    async function say(threadId: string, ...lines: [role: "user" | "assistant", content: string][]): Promise<void> {
      await transcript.append({ threadId, runId: null, messages: lines.map(([role, content]) => ({ id: randomUUID(), role, content })) });
    }

    beforeAll(async () => {
      storage = await backend.open();
      transcript = new TranscriptStore(storage.pool);
      search = new TranscriptSearch(storage.pool);
      await createThread(alice.long, "alice", "Long thread");
      await createThread(alice.cooking, "alice", "Cooking");
      await createThread(bobThread, "bob", "Bob's");
      // 3,000 filler messages, then a few distinctive ones: the scans must not grow with the filler.
      const filler = Array.from({ length: 3000 }, (_, index) => ({ id: `filler-${index}`, role: "user" as const, content: `filler message number ${index} about nothing much` }));
      for (let start = 0; start < filler.length; start += 500) await transcript.append({ threadId: alice.long, runId: null, messages: filler.slice(start, start + 500) });
      await say(
        alice.long,
        ["user", "The runners were running quickly through the park in the morning."],
        ["assistant", "明天北京的天气预报说会下雨，记得带伞。"],
        ["user", "我喜欢用 PostgreSQL 的 pg_trgm 扩展做中文搜索"],
        ["assistant", "Use the C++ compiler flag -O2 for release builds."],
      );
      await say(alice.cooking, ["user", "How long should I boil an egg?"], ["assistant", "今天的天气很好，适合做饭。"]);
      await say(alice.cooking, ["user", "Prices rose 50% 💥 this year."], ["user", "The weather in the city is grey."], ["user", "The weather at the coast is fine."]);
      await say(bobThread, ["user", "Bob's secret: the weather forecast says rain, 天气预报."]);
      // Autovacuum does this on Postgres; on the embedded database imports do it (and the sweeper should).
      await storage.pool.query("ANALYZE messages");
    });
    afterAll(async () => storage?.dispose());

    it("pages the transcript newest-last by keyset, reading only the page however long the thread", async () => {
      const first = await transcript.list(alice.long, { limit: 3 });
      expect(first.messages.map((message) => message.seq)).toEqual([3002, 3003, 3004]);
      const second = await transcript.list(alice.long, { limit: 3, before: first.next_before ?? undefined });
      expect(second.messages.map((message) => message.seq)).toEqual([2999, 3000, 3001]);
      const plan = await rowsReadFromMessages(
        storage.pool,
        "SELECT seq FROM messages WHERE thread_id = $1 AND ($2::bigint IS NULL OR seq < $2) ORDER BY seq DESC LIMIT $3",
        [alice.long, 1500, 11],
      );
      expect(plan.seqScan).toBe(false);
      expect(plan.rows).toBeLessThanOrEqual(11);
    });

    it("finds English words by stem, ranked, with seq, timestamps and a snippet", async () => {
      const hits = await search.search({ userId: "alice", query: "run" });
      expect(hits[0]).toMatchObject({ thread_id: alice.long, thread_title: "Long thread", role: "user", seq: 3001, match: "text" });
      expect(hits[0]?.snippet).toContain("runners were running");
      expect(Date.parse(hits[0]?.created_at ?? "")).not.toBeNaN();
    });

    it("finds Chinese words of any length, within a thread or across the user's threads", async () => {
      const weather = await search.search({ userId: "alice", query: "天气" });
      expect(weather.map((hit) => hit.thread_id).sort()).toEqual([alice.long, alice.cooking].sort());
      const forecast = await search.search({ userId: "alice", query: "天气预报" });
      expect(forecast.map((hit) => hit.content)).toEqual(["明天北京的天气预报说会下雨，记得带伞。"]);
      expect(forecast[0]?.snippet).toContain("天气预报");
      const single = await search.search({ userId: "alice", query: "伞" });
      expect(single).toHaveLength(1);
      const scoped = await search.search({ userId: "alice", query: "天气", threadIds: [alice.cooking] });
      expect(scoped.map((hit) => hit.thread_id)).toEqual([alice.cooking]);
      // Bigrams as a phrase: the characters must be adjacent, not merely present.
      expect(await search.search({ userId: "alice", query: "天报" })).toEqual([]);
    });

    it("finds mixed Chinese and English queries, and substrings the tokenizers miss", async () => {
      const mixed = await search.search({ userId: "alice", query: "pg_trgm 中文" });
      expect(mixed.map((hit) => hit.seq)).toEqual([3003]);
      const mixedRun = await search.search({ userId: "alice", query: "PostgreSQL的pg_trgm" });
      expect(mixedRun[0]?.seq).toBe(3003);
      const symbols = await search.search({ userId: "alice", query: "C++" });
      expect(symbols.map((hit) => hit.seq)).toEqual([3004]);
      const partial = await search.search({ userId: "alice", query: "PostgreS" });
      expect(partial[0]?.seq).toBe(3003);
    });

    it("applies or, -exclusion and quoted phrases to Chinese words as to English ones", async () => {
      const contents = async (query: string) => (await search.search({ userId: "alice", query })).map((hit) => hit.content).sort();
      expect(await contents("天气 -北京")).toEqual(["今天的天气很好，适合做饭。"]);
      expect(await contents("天气 -做饭")).toEqual(["明天北京的天气预报说会下雨，记得带伞。"]);
      expect(await contents("伞 or 做饭")).toEqual(["今天的天气很好，适合做饭。", "明天北京的天气预报说会下雨，记得带伞。"].sort());
      expect(await contents("egg or 下雨")).toEqual(["How long should I boil an egg?", "明天北京的天气预报说会下雨，记得带伞。"].sort());
      expect(await contents("weather -coast")).toEqual(["The weather in the city is grey."]);
      expect(await contents('"北京 天气"')).toEqual([]);
      expect(await contents('天气 -"天气预报"')).toEqual(["今天的天气很好，适合做饭。"]);
      // Chinese without spaces: its two-character words, each required (quoted, the phrase as written).
      expect(await contents("北京天气")).toEqual(["明天北京的天气预报说会下雨，记得带伞。"]);
      expect(await contents("北京天气 or 做饭")).toEqual(["今天的天气很好，适合做饭。", "明天北京的天气预报说会下雨，记得带伞。"].sort());
      expect(await contents("北京天气 -带伞")).toEqual([]);
      expect(await contents('"北京天气"')).toEqual([]);
      const [split] = await search.search({ userId: "alice", query: "北京天气" });
      expect(split?.snippet).toContain("北京");
      // Excluded words are not highlighted in the snippet.
      const [hit] = await search.search({ userId: "alice", query: "天气 -做饭" });
      expect(hit?.snippet).toContain("天气");
    });

    it("falls back to trigram similarity for typos", async () => {
      const hits = await search.search({ userId: "alice", query: "postgrsql" });
      expect(hits.some((hit) => hit.seq === 3003 && hit.match === "fuzzy")).toBe(true);
      // Every word of the query, each near one of the message's: that message says nothing of a database.
      expect((await search.search({ userId: "alice", query: "postgresq databse" })).map((hit) => hit.seq)).not.toContain(3003);
    });

    it("matches short queries without words as substrings, and refuses nothing it can store", async () => {
      for (const query of ["%", "💥", "% 💥"]) {
        const hits = await search.search({ userId: "alice", query });
        expect(hits.map((hit) => hit.content), query).toEqual(["Prices rose 50% 💥 this year."]);
      }
      // "50" is a word too (filler message 50); the exact substring ranks first.
      expect((await search.search({ userId: "alice", query: "50%" }))[0]?.content).toBe("Prices rose 50% 💥 this year.");
      // LIKE's wildcards are matched literally.
      expect((await search.search({ userId: "alice", query: "_" })).map((hit) => hit.seq)).toEqual([3003]);
      expect(await search.search({ userId: "alice", query: "'" })).toEqual([]);
      expect(await search.search({ userId: "alice", query: "\\" })).toEqual([]);
    });

    it("finds a Chinese phrase's words across its particles (杭州的天气), and gives short words no loose fuzzy neighbours", async () => {
      const thread = randomUUID();
      await createThread(thread, "alice", "Particles");
      await say(thread, ["user", "我住在杭州，今天天气预报说有雨。"], ["assistant", "Tool calculator returned: 1024"], ["user", "The colour of the called cats."], ["assistant", "Hello there."]);
      const inThread = async (query: string) => (await search.search({ userId: "alice", query, threadIds: [thread] })).map((hit) => hit.content);
      expect(await inThread("杭州的天气")).toEqual(["我住在杭州，今天天气预报说有雨。"]);
      expect(await inThread("杭州和天气")).toEqual(["我住在杭州，今天天气预报说有雨。"]);
      // A particle inside a word (目的, 的确) or next to one character is not a separator.
      expect(await inThread("目的")).toEqual([]);
      // Under six letters: no fuzzy fallback (at 0.5 "cab" matched "calculator" and "called").
      expect(await inThread("cab")).toEqual([]);
      expect(await inThread("C++")).toEqual([]);
      expect(await inThread("calx")).toEqual([]);
      expect(await inThread("colr")).toEqual([]);
      expect(await inThread("calcx")).toEqual([]);
      const typo = await search.search({ userId: "alice", query: "calculatr", threadIds: [thread] });
      expect(typo.map((hit) => [hit.content, hit.match])).toEqual([["Tool calculator returned: 1024", "fuzzy"]]);
    });

    it("indexes a message's CJK runs as their letters and letter pairs, in order, English words by stem", async () => {
      const text = "我喜欢 apples 和香蕉。東京タワー 한국";
      const runs = ["我喜欢", "和香蕉", "東京タワー", "한국"].map((run) => [...run]);
      const grams = runs.flatMap((letters) => letters.flatMap((letter, index) => (index < letters.length - 1 ? [letter, letter + letters[index + 1]] : [letter])));
      const { rows } = await storage.pool.query<{ same: boolean }>(
        "SELECT threadline_search_vector($1) = to_tsvector('english', 'apples') || to_tsvector('simple', $2) AS same",
        [text, grams.join(" ")],
      );
      expect(rows[0]?.same).toBe(true);
    });

    it("stores and finds a message of 100,000 Chinese characters without a break (its index took about a minute: time in the square of the run)", { timeout: 60_000 }, async () => {
      const thread = randomUUID();
      await createThread(thread, "alice", "Long Chinese");
      const filler = "我们今天讨论项目的进度和下一步计划".repeat(6_250);
      await say(thread, ["user", `${filler.slice(0, 100_000 - 6)}杭州西湖龙井`]);
      const hits = await search.search({ userId: "alice", query: "西湖龙井", threadIds: [thread] });
      expect(hits).toHaveLength(1);
    });

    it("keeps a query's exclusions and phrases when it falls back to fuzzy matching", async () => {
      const typo = await search.search({ userId: "alice", query: "wether" });
      expect(typo.map((hit) => hit.match)).toContain("fuzzy");
      expect(typo.map((hit) => hit.content)).toEqual(expect.arrayContaining(["The weather in the city is grey.", "The weather at the coast is fine."]));
      const excluded = await search.search({ userId: "alice", query: "wether -city" });
      expect(excluded.map((hit) => hit.content)).toEqual(["The weather at the coast is fine."]);
      // A quoted phrase asks for those exact words: no fuzzy neighbours.
      expect(await search.search({ userId: "alice", query: '"wether coast"' })).toEqual([]);
    });

    it("falls back to fuzzy matches only with every CJK word of the query present and each other word near one of the message's", async () => {
      const thread = randomUUID();
      await createThread(thread, "carol", "Fuzzy words");
      await say(
        thread,
        ["user", "Question 2499: how do I cook 米饭 in a rice cooker?"],
        ["assistant", "The trip to Hangzhou was lovely."],
        ["user", "我在杭州 visited the lake near Hangzhou station."],
        ["assistant", "Configure the replication settings carefully."],
        ["user", "Is the PostgreSQL database up?"],
      );
      const found = async (query: string) => (await search.search({ userId: "carol", query })).map((hit) => [hit.content, hit.match]);
      // A CJK word no message has is not dropped to find the rest fuzzily.
      expect(await found("北京 question")).toEqual([]);
      expect(await found("北京 questoin")).toEqual([]);
      // 杭州 must be there: the line with Hangzhou alone is no match for both.
      expect(await found("杭州 Hangzhou")).toEqual([["我在杭州 visited the lake near Hangzhou station.", "text"]]);
      expect(await found("杭州 lovely")).toEqual([]);
      expect(await found("杭州 Hangzhuo")).toEqual([["我在杭州 visited the lake near Hangzhou station.", "fuzzy"]]);
      expect(await found("米饭 cookerr")).toEqual([["Question 2499: how do I cook 米饭 in a rice cooker?", "fuzzy"]]);
      // Each word on its own: a long match does not carry a word the message lacks.
      expect(await found("replication zebra")).toEqual([]);
      expect(await found("replicaton setings")).toEqual([["Configure the replication settings carefully.", "fuzzy"]]);
      expect(await found("postgresq databse")).toEqual([["Is the PostgreSQL database up?", "fuzzy"]]);
      // `or` between words still means either.
      expect(await found("replicaton or zebraa")).toEqual([["Configure the replication settings carefully.", "fuzzy"]]);
      expect(await found("Hangzhuo -杭州")).toEqual([["The trip to Hangzhou was lovely.", "fuzzy"]]);
    });

    it("never returns another user's messages, even for their thread ids", async () => {
      expect(await search.search({ userId: "alice", query: "secret" })).toEqual([]);
      expect(await search.search({ userId: "alice", query: "天气预报", threadIds: [bobThread] })).toEqual([]);
      expect((await search.search({ userId: "bob", query: "天气预报" })).map((hit) => hit.thread_id)).toEqual([bobThread]);
    });

    it("reads index matches, not the thread, and bounds what it ranks", async () => {
      const plan = await rowsReadFromMessages(
        storage.pool,
        `SELECT m.seq FROM messages m JOIN threads t ON t.thread_id = m.thread_id
          WHERE t.user_id = $1 AND m.thread_id = ANY($2::uuid[]) AND threadline_search_vector(m.content) @@ to_tsquery('simple', $3)`,
        ["alice", [alice.long], "'天气' <2> '气预' <2> '预报'"],
      );
      expect(plan.seqScan).toBe(false);
      expect(plan.rows).toBeLessThan(50);
      const everything = await search.search({ userId: "alice", query: "filler", limit: 5 });
      expect(everything).toHaveLength(5);
    });

    it("costs a user with few messages their own rows, however many of another user's match", async () => {
      // One connection, one transaction (rolled back): its counters hold exactly what the search computed.
      const client = await storage.pool.connect();
      const onClient = { query: client.query.bind(client) } as unknown as pg.Pool;
      const [carol, dave] = [randomUUID(), randomUUID()];
      try {
        await client.query("BEGIN");
        await client.query("INSERT INTO threads (thread_id, user_id, assistant_id, message_seq) VALUES ($1, 'carol', 'chat', 20000), ($2, 'dave', 'chat', 2)", [carol, dave]);
        await client.query("INSERT INTO messages (thread_id, seq, message_id, role, content) SELECT $1, g, 'c' || g, 'user', 'lorem ipsum dolor sit amet ' || g FROM generate_series(1, 20000) g", [carol]);
        await client.query("INSERT INTO messages (thread_id, seq, message_id, role, content) VALUES ($1, 1, 'd1', 'user', 'a short note'), ($1, 2, 'd2', 'user', 'another one')", [dave]);
        // As after an import (columns only): the planner knows nothing of how many messages a word matches.
        await client.query("ANALYZE messages (thread_id, seq, created_at)");
        await client.query("DELETE FROM pg_statistic WHERE starelid IN ('messages_search_vector'::regclass, 'messages_content_trgm'::regclass)");
        await client.query("SET LOCAL track_functions = 'pl'");
        expect(await new TranscriptSearch(onClient).search({ userId: "dave", query: "lorem ipsum" })).toEqual([]);
        // A search vector for each of dave's two messages at most, none for carol's 20,000 matching ones.
        const { rows } = await client.query<{ n: string | null }>("SELECT pg_stat_get_xact_function_calls('threadline_search_vector(text)'::regprocedure) AS n");
        expect(Number(rows[0]?.n ?? 0)).toBeLessThanOrEqual(2);
        expect(await new TranscriptSearch(onClient).search({ userId: "carol", query: "lorem ipsum", limit: 3 })).toHaveLength(3);
      } finally {
        await client.query("ROLLBACK");
        client.release();
      }
    });
  });
}
