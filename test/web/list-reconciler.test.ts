import { describe, expect, it } from "vitest";
import { ListReconciler } from "../../web/src/state/list-reconciler.js";

const add = (item: string) => (list: string[]) => (list.includes(item) ? list : [item, ...list]);
const drop = (item: string) => (list: string[]) => list.filter((entry) => entry !== item);

describe("a list answer reconciled with what this tab did meanwhile", () => {
  it("keeps a session opened while the list was read without it, and keeps a deleted one out", () => {
    const reconciler = new ListReconciler<string>();
    const ticket = reconciler.begin();
    reconciler.record(add("opened-meanwhile"));
    reconciler.record(drop("deleted-meanwhile"));
    expect(reconciler.settle(ticket, ["deleted-meanwhile", "older"])).toEqual(["opened-meanwhile", "older"]);
  });

  it("applies only the changes made after the request was sent, and forgets them once answered", () => {
    const reconciler = new ListReconciler<string>();
    reconciler.record(add("before"));
    const ticket = reconciler.begin();
    reconciler.record(add("after"));
    expect(reconciler.settle(ticket, ["listed"])).toEqual(["after", "listed"]);
    const next = reconciler.begin();
    expect(reconciler.settle(next, ["listed"])).toEqual(["listed"]);
  });

  it("ignores an older request's answer once a newer request is on its way, and the newer one still gets every change", () => {
    const reconciler = new ListReconciler<string>();
    const older = reconciler.begin();
    reconciler.record(add("x"));
    const newer = reconciler.begin();
    reconciler.record(add("y"));
    expect(reconciler.settle(older, ["stale"])).toBeUndefined();
    expect(reconciler.settle(newer, ["fresh", "x"])).toEqual(["y", "fresh", "x"]);
  });
});
