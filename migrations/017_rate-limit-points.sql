-- Up Migration
-- Per-user request budgets shared by every instance (RATE_LIMIT_SCOPE=cluster): rate-limiter-flexible's
-- RateLimiterPostgres counts in this table and is told it exists (`tableCreated: true`), so no instance creates
-- tables at runtime outside the migrate lock. Its statements insert positionally: the columns keep its order
-- (key, points, expire), `key` is `user:<user id>` (text: a JWT `sub` may be longer than the library's varchar(255)),
-- `expire` is the window's end in epoch milliseconds of the instance that opened it.
-- UNLOGGED: every request updates its user's row, and a transaction that touches only unlogged tables commits
-- without waiting for a WAL flush. A crash or a failover to a replica empties the table, which only restarts
-- the current minute's budgets.
CREATE UNLOGGED TABLE rate_limit_points (
  key text PRIMARY KEY,
  points integer NOT NULL DEFAULT 0,
  expire bigint
);

-- Down Migration
DROP TABLE rate_limit_points;
