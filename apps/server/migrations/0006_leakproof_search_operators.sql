-- Index use under row-level security (decision 0013).
--
-- With forced RLS, PostgreSQL evaluates a condition before the tenant policy — and so may use it
-- as an index condition — only when its function is LEAKPROOF. The built-in LIKE / ILIKE / regex
-- matching, array overlap/containment, numeric comparisons and pg_trgm's similarity operator are
-- not marked so, which turns every search box, tag filter, revenue range and duplicate check into
-- a scan of the whole tenant. These functions can only fail on their own arguments (a malformed
-- pattern), KAM never passes a column value as a pattern, and the application role runs only
-- KAM's own statements: RLS is KAM's second line against a missing tenant condition in a query,
-- not a sandbox for arbitrary SQL. Marking them LEAKPROOF needs a superuser; without one the
-- migration leaves them (everything stays correct, searches are slower) and says so.
DO $$
DECLARE
  f text;
BEGIN
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    RAISE NOTICE 'KAM: not a superuser — search operators not marked LEAKPROOF; see docs/decisions/0013';
    RETURN;
  END IF;
  FOREACH f IN ARRAY ARRAY[
    'textlike(text,text)', 'texticlike(text,text)', 'textregexeq(text,text)', 'texticregexeq(text,text)',
    'arrayoverlap(anyarray,anyarray)', 'arraycontains(anyarray,anyarray)',
    'numeric_eq(numeric,numeric)', 'numeric_ne(numeric,numeric)', 'numeric_lt(numeric,numeric)',
    'numeric_le(numeric,numeric)', 'numeric_gt(numeric,numeric)', 'numeric_ge(numeric,numeric)',
    'similarity_op(text,text)'
  ] LOOP
    EXECUTE format('ALTER FUNCTION %s LEAKPROOF', f);
  END LOOP;
END $$;
