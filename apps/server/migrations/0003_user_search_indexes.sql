-- Indexes behind the user list's search box (ILIKE '%…%' per visible column) and its
-- last-sign-in sort.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX users_last_login_idx ON users (tenant_id, coalesce(last_login_at, '-infinity'::timestamptz), id);
CREATE INDEX users_login_trgm_idx ON users USING gin (login gin_trgm_ops);
CREATE INDEX users_display_name_trgm_idx ON users USING gin (display_name gin_trgm_ops);
CREATE INDEX users_name_pinyin_trgm_idx ON users USING gin (name_pinyin gin_trgm_ops);
CREATE INDEX users_email_trgm_idx ON users USING gin (email gin_trgm_ops);
CREATE INDEX users_mobile_trgm_idx ON users USING gin (mobile gin_trgm_ops);
