/** Poll `condition` until it holds (or throw after `timeoutMs`). */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 8000, intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
