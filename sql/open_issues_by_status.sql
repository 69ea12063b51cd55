-- Open issues of one project by status and assignee.
-- ProjectKey goes to Jira as JQL (project = "DEMO"); only the three projected fields are fetched.
SELECT StatusName, coalesce(AssigneeDisplayName, '(unassigned)') AS Assignee, count(*) AS Issues
FROM Issues
WHERE ProjectKey = 'DEMO' AND StatusCategory <> 'Done'
GROUP BY StatusName, Assignee
ORDER BY Issues DESC, StatusName, Assignee;
