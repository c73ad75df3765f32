-- Why an import or a tiering run failed, as a stable error code with its parameters (decision 0026):
-- shown to the reader in their language (zh-CN / en). `error` keeps the technical text (English) for
-- operators. Failures recorded before this migration have no code and show their text.
ALTER TABLE tier_runs ADD COLUMN error_code text, ADD COLUMN error_params jsonb;
ALTER TABLE imports ADD COLUMN error_code text, ADD COLUMN error_params jsonb;
