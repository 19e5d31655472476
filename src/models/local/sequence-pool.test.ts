import { describe, expect, it } from "vitest";
import { PoolBusyError, SequencePool } from "./sequence-pool.js";

describe("SequencePool", () => {
  it("lends each item to one caller at a time and queues the rest in order", async () => {
    const pool = new SequencePool(["a", "b"], 10);
    const first = await pool.acquire();
    const second = await pool.acquire();
    const order: string[] = [];
    const third = pool.acquire().then((lease) => (order.push(`third:${lease.item}`), lease));
    const fourth = pool.acquire().then((lease) => (order.push(`fourth:${lease.item}`), lease));
    expect({ busy: pool.busy, waiting: pool.waiting }).toEqual({ busy: 2, waiting: 2 });
    second.release();
    first.release();
    await Promise.all([third, fourth]);
    expect(order).toEqual([`third:${second.item}`, `fourth:${first.item}`]);
  });

  it("fails fast when the queue is full", async () => {
    const pool = new SequencePool(["only"], 1);
    const held = await pool.acquire();
    const queued = pool.acquire();
    await expect(pool.acquire()).rejects.toBeInstanceOf(PoolBusyError);
    held.release();
    (await queued).release();
    expect(pool.busy).toBe(0);
  });

  it("withdraws a waiter whose signal aborts, and ignores double releases", async () => {
    const pool = new SequencePool(["only"], 5);
    const held = await pool.acquire();
    const controller = new AbortController();
    const waiting = pool.acquire(controller.signal);
    controller.abort(new Error("run cancelled"));
    await expect(waiting).rejects.toThrow("run cancelled");
    expect(pool.waiting).toBe(0);
    held.release();
    held.release();
    expect(pool.busy).toBe(0);
    const again = await pool.acquire();
    expect(again.item).toBe("only");
    await expect(pool.acquire(AbortSignal.abort(new Error("already")))).rejects.toThrow("already");
  });
});
