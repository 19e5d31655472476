import { expect, it } from "vitest";
import { counted } from "./count-words.js";

it("counts with the noun in the singular for one, else the plural", () => {
  expect([counted(0, "turn"), counted(1, "turn"), counted(2, "turn"), counted(1, "fold"), counted(3, "child", "children")]).toEqual(["0 turns", "1 turn", "2 turns", "1 fold", "3 children"]);
});
