-- Every table and view of the database with its columns in order, for the SQL
-- console's schema browser (their meanings are in docs/schema.md).
SELECT table_name, column_name, data_type
FROM information_schema.columns
WHERE table_schema = 'main'
ORDER BY table_name, ordinal_position
