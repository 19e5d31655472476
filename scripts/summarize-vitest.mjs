// Print the closing line CI reads: "N passed, N failed[, N skipped]". Exit 1 when nothing ran or anything failed.
import { readFileSync } from "node:fs";

const file = process.argv[2] ?? "test/artifacts/vitest.json";
let report;
try {
  report = JSON.parse(readFileSync(file, "utf8"));
} catch (error) {
  console.log(`could not read ${file}: ${error.message}`);
  console.log("0 passed, 1 failed");
  process.exit(1);
}
const passed = report.numPassedTests ?? 0;
// Files that fail to load count as failures too: their tests never ran.
const brokenFiles = (report.testResults ?? []).filter((result) => result.status === "failed" && (result.assertionResults ?? []).length === 0).length;
const failed = (report.numFailedTests ?? 0) + brokenFiles;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
