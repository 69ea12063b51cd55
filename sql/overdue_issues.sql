-- Overdue issues: past their due date and not done, the longest overdue first.
-- `DueDate < current_date` goes to Jira as JQL (due < "YYYY-MM-DD"), so only issues with a
-- past due date are fetched; the status category is checked by jiraql.
SELECT
  Key,
  Summary,
  StatusName,
  coalesce(AssigneeDisplayName, '(unassigned)') AS Assignee,
  DueDate,
  current_date - DueDate                        AS DaysOverdue
FROM Issues
WHERE DueDate < current_date AND StatusCategory <> 'Done'
ORDER BY DueDate, Key;
