-- A SharePoint list made from a query: no list has to be built by hand before the first run.
--
--   jiraql --demo -f sql/worklogs_list_from_sql.sql
--   jiraql --connection "URL=https://acme.atlassian.net;User=me@acme.com" \
--          --sharepoint "URL=https://contoso.sharepoint.com/sites/pmo;TenantId=...;ClientId=..." \
--          -f sql/worklogs_list_from_sql.sql          (add --dry-run to see the Graph requests)
--
-- The first run makes the list "November Worklogs" with one typed column per selected column
-- (WorklogId indexed, as the first column; Title filled from IssueKey) and adds the rows; later
-- runs leave the list as it is (IF NOT EXISTS). Keep it current with a MERGE on WorklogId, as
-- sql/worklogs_to_sharepoint.sql does for TimeLog.
CREATE TABLE IF NOT EXISTS sharepoint."November Worklogs" AS
  SELECT Id AS WorklogId, IssueKey, Started, round(TimeSpentSeconds / 3600.0, 2) AS Hours,
         AuthorDisplayName AS Author
  FROM Worklogs
  WHERE Started >= '2026-11-01' AND Started < '2026-12-01';

-- The new list reads back like any other, in the same session.
SELECT IssueKey, round(sum(Hours), 2) AS Hours
FROM sharepoint."November Worklogs"
GROUP BY IssueKey
ORDER BY Hours DESC, IssueKey
LIMIT 10;
