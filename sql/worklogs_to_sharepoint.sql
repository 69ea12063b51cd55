-- The sync job: Jira worklogs into the SharePoint list "TimeLog", one item per worklog.
--
--   jiraql --demo -f sql/worklogs_to_sharepoint.sql
--   jiraql --connection "URL=https://acme.atlassian.net;User=me@acme.com" \
--          --sharepoint "URL=https://contoso.sharepoint.com/sites/pmo/Lists/TimeLog/AllItems.aspx;TenantId=...;ClientId=..." \
--          -f sql/worklogs_to_sharepoint.sql          (add --dry-run to see the counts first)
--
-- Repeatable: the first run creates the items, a re-run writes nothing, a later run patches only
-- the items whose worklog changed. Worklogs are read in bulk (worklog/updated + worklog/list);
-- items go to SharePoint in Graph batches of 20. The list's WorklogId column is the key.
-- To also remove items whose worklog was deleted in Jira, add
--   WHEN NOT MATCHED BY SOURCE THEN DELETE
-- (only without a WHERE in the USING query, or items outside it would be deleted too).
MERGE INTO sharepoint.TimeLog AS t
USING (
  SELECT Id, IssueKey, Started, round(TimeSpentSeconds / 3600.0, 2) AS Hours, TimeSpentSeconds,
         Comment, AuthorDisplayName
  FROM Worklogs
  WHERE Started >= '2026-11-01'
) AS s
ON t.WorklogId = s.Id
WHEN MATCHED THEN UPDATE SET
  IssueKey = s.IssueKey, Started = s.Started, Hours = s.Hours, Seconds = s.TimeSpentSeconds,
  Comment = s.Comment, Author = s.AuthorDisplayName
WHEN NOT MATCHED THEN INSERT (WorklogId, IssueKey, Started, Hours, Seconds, Comment, Author)
  VALUES (s.Id, s.IssueKey, s.Started, s.Hours, s.TimeSpentSeconds, s.Comment, s.AuthorDisplayName);

-- What the list holds now, per issue.
SELECT IssueKey, count(*) AS Items, sum(Hours) AS Hours
FROM sharepoint.TimeLog
GROUP BY IssueKey
ORDER BY Hours DESC
LIMIT 10;
