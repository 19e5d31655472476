import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { AppError } from "../errors/app-error.js";

/** Per-user request budget per minute (HTTP requests and WS commands alike), per instance. */
export class UserRateLimiter {
  private readonly limiter: RateLimiterMemory;

  constructor(perMinute: number) {
    this.limiter = new RateLimiterMemory({ points: perMinute, duration: 60 });
  }

  /** Spend one point for the user or throw `rate_limited` with the wait in details. */
  async consume(userId: string): Promise<void> {
    try {
      await this.limiter.consume(userId);
    } catch (error) {
      if (error instanceof RateLimiterRes) {
        throw new AppError("rate_limited", "Too many requests", { details: { retry_after_ms: error.msBeforeNext } });
      }
      throw error;
    }
  }
}
