-- Index-served customer name search for terms of two characters (decision 0013).
--
-- Chinese users look companies up by two characters (瑞丰, 华为, 杭州). pg_trgm cannot serve
-- `name ILIKE '%瑞丰%'`: a two-character infix yields no trigram, so the search read the whole
-- tenant (seconds at a million customers). A GIN index over the name's character bigrams can:
-- when `term` is a substring of `name` (case-insensitively, as ILIKE compares lower() of both),
-- every bigram of lower(term) is a bigram of lower(name), so
--   kam_bigrams(name) @> kam_bigrams(term) AND name ILIKE '%term%'
-- is exactly `name ILIKE '%term%'` for terms of two or more characters — the containment is read
-- from the index, the ILIKE rechecks the candidates. ANALYZE keeps element statistics for the
-- index expression, so the planner knows a common bigram (杭州) from a rare one and can choose to
-- walk the list's sort index instead.
--
-- The function is PL/pgSQL, so it is never inlined: the planner sees kam_bigrams itself, which
-- (like 0006's operators) must be LEAKPROOF to be an index condition under forced row-level
-- security. It can fail on nothing but memory; marking it so needs a superuser, without one the
-- index still exists and every search stays correct, only slower. (A loop: cheaper than the
-- set-returning SQL forms, which matters when building the index over a million names.)
CREATE OR REPLACE FUNCTION kam_bigrams(t text) RETURNS text[]
  LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
  l text := lower(t);
  grams text[] := '{}';
  b text;
BEGIN
  FOR i IN 1 .. char_length(l) - 1 LOOP
    b := substr(l, i, 2);
    IF NOT b = ANY(grams) THEN
      grams := grams || b;
    END IF;
  END LOOP;
  RETURN grams;
END
$$;

DO $$
BEGIN
  IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    ALTER FUNCTION kam_bigrams(text) LEAKPROOF;
  ELSE
    RAISE NOTICE 'KAM: not a superuser — kam_bigrams not marked LEAKPROOF; see docs/decisions/0013';
  END IF;
END $$;

CREATE INDEX IF NOT EXISTS customers_name_bigram_idx ON customers USING gin (kam_bigrams(name))
  WHERE deleted_at IS NULL;

-- The bigram index serves every name search of two or more characters; a one-character term
-- gets nothing from either index. One GIN index less to maintain keeps imports fast. (The
-- name_norm and name_pinyin trigram indexes stay: the similar-name check and pinyin search.)
DROP INDEX IF EXISTS customers_name_trgm_idx;
