-- One issue's worklogs: a single request to that issue's worklog endpoint.
SELECT IssueKey, Started, TimeSpent, TimeSpentSeconds, AuthorDisplayName, Comment
FROM Worklogs
WHERE IssueKey = 'DEMO-7'
ORDER BY Started;
