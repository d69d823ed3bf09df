-- Messages whose date is not their Date header's (docs/metrics.md, "Untrusted dates";
-- the rules: docs/schema.md, "Dates"), one row per archived copy with where it is, so
-- the raw mail can be checked by hand (`lorelens raw MESSAGE_ID`, or
-- `git --git-dir GIT_DIR cat-file -p BLOB`). The first copy, the one the date came
-- from, comes first.
SELECT m.message_id, m.date, m.date_source, m.date_raw, m.archive_time,
       m.from_email, m.subject,
       c.list, c.kind, c.source, c.epoch, c.git_dir, c."commit", c.blob, c.path,
       c.byte_offset, c.duplicate
FROM messages m
LEFT JOIN message_sources c USING (message_id)
WHERE m.date_source <> 'header'
  AND ($list::VARCHAR IS NULL OR list_contains(m.lists, $list::VARCHAR))
  AND ($since::TIMESTAMPTZ IS NULL OR m.date >= $since::TIMESTAMPTZ)
  AND ($until::TIMESTAMPTZ IS NULL OR m.date < $until::TIMESTAMPTZ)
ORDER BY m.date_source, m.message_id, c.duplicate <> 'first', c.run_id, c.list, c.source,
         c.epoch, c."commit", c.path, c.byte_offset
