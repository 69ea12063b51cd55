-- Hours logged per person per week, newest week first.
-- Reads worklogs in bulk (worklog/updated + worklog/list): no request per issue.
SELECT
  AuthorDisplayName                         AS Person,
  date_trunc('week', Started)               AS Week,
  round(sum(TimeSpentSeconds) / 3600.0, 2)  AS Hours
FROM Worklogs
GROUP BY AuthorDisplayName, date_trunc('week', Started)
ORDER BY Week DESC, Hours DESC;
