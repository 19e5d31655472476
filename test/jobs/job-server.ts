import type { RunningServer } from "../../src/app.js";
import { createJobSystem, type JobServices, type JobSystem } from "../../src/jobs/job-system.js";
import { ThreadTombstones } from "../../src/jobs/lifecycle/thread-tombstones.js";
import type { Services } from "../../src/services.js";

/** The job services of a running server, and whether src/app.ts built them (else this helper did). */
export interface ServerJobs extends JobServices {
  wired: boolean;
  stop(): Promise<void>;
}

/**
 * The server's job services. Once src/app.ts wires the job system (docs/jobs.md, "Wiring"), they are used as
 * is; until then this composes them over the server's services exactly as that section describes.
 */
export async function jobsOf(server: RunningServer): Promise<ServerJobs> {
  const services = server.services as Services & Partial<JobServices>;
  if (services.crons && services.lifecycle) return { crons: services.crons, lifecycle: services.lifecycle, wired: true, stop: () => Promise.resolve() };
  const jobSystem: JobSystem = createJobSystem({
    pool: services.pool,
    logger: services.logger,
    config: services.config,
    tombstones: new ThreadTombstones(services.pool),
    threads: services.sessions,
    assistants: services.assistants,
    threadState: services.threadState,
    runs: () => services.runs,
  });
  const unsubscribe = services.runEvents.onRunFinished(jobSystem.hooks.listener);
  await jobSystem.start();
  return {
    crons: jobSystem.crons,
    lifecycle: jobSystem.lifecycle,
    wired: false,
    async stop() {
      unsubscribe();
      await jobSystem.stop();
    },
  };
}
