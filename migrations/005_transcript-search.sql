-- Up Migration
-- Transcript search, for English and for Chinese (and Japanese, Korean) on plain Postgres and on the embedded
-- PGlite alike. Postgres full-text search does not segment Chinese, so the search vector has two parts:
--   * English words (stemmed, stop words dropped) from the text with the Han/kana/Hangul characters blanked out;
--   * every CJK character and every pair of neighbouring CJK characters ("天气预报" → 天 天气 气 气预 预 预报 报),
--     the classic bigram indexing of CJK search engines: a query word of any length matches as a phrase of its
--     bigrams, with no dictionary.
-- Trigrams (pg_trgm, from 001) index the raw content too: substring matches the tokenizers miss (partial words,
-- identifiers, "C++"), fuzzy matches for typos, and similarity for ranking. See docs/long-threads.md.

-- The search vector of a message: English words of the text with CJK blanked out, then the CJK unigrams and
-- bigrams in order (u1 b1 u2 b2 …, so consecutive bigrams of one run are exactly two positions apart and queries
-- use the <2> phrase operator). Only the first 100,000 characters are indexed (a tsvector is limited to 1 MB;
-- tool outputs can be larger). PL/pgSQL with a fast path for text without CJK: ~2× faster than the same in SQL.
-- Self-contained on purpose: index builds run with search_path = pg_catalog (Postgres 17+, PGlite), so the body
-- calls only pg_catalog functions. COST tells the planner the truth (tens of µs a row, not the default), so it
-- reads the GIN index instead of computing vectors row by row.
CREATE FUNCTION threadline_search_vector(content text) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 1000 AS $$
DECLARE
  body text := left(content, 100000);
  grams text[] := '{}';
  run text;
  n integer;
BEGIN
  IF body !~ '[぀-ヿ㐀-䶿一-鿿가-힯豈-﫿]' THEN
    RETURN to_tsvector('english', body);
  END IF;
  FOR run IN SELECT (regexp_matches(body, '[぀-ヿ㐀-䶿一-鿿가-힯豈-﫿]+', 'g'))[1] LOOP
    n := char_length(run);
    FOR i IN 1..n LOOP
      grams := grams || substr(run, i, 1);
      IF i < n THEN
        grams := grams || substr(run, i, 2);
      END IF;
    END LOOP;
  END LOOP;
  RETURN to_tsvector('english', regexp_replace(body, '[぀-ヿ㐀-䶿一-鿿가-힯豈-﫿]+', ' ', 'g')) || to_tsvector('simple', array_to_string(grams, ' '));
END
$$;

CREATE INDEX messages_search_vector ON messages USING gin (threadline_search_vector(content));
CREATE INDEX messages_content_trgm ON messages USING gin (content gin_trgm_ops);

-- Imported conversations keep their session boundaries (the `session` of each JSONL line); NULL when chatted.
ALTER TABLE messages ADD COLUMN session text;

-- Down Migration
ALTER TABLE messages DROP COLUMN IF EXISTS session;
DROP INDEX IF EXISTS messages_content_trgm;
DROP INDEX IF EXISTS messages_search_vector;
DROP FUNCTION IF EXISTS threadline_search_vector(text);
