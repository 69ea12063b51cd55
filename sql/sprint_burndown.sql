-- Sprint burndown: for every started sprint, its committed story points, then day by day the
-- points resolved and the points still open, from the issues' resolution dates.
-- "Story Points" is a custom field: its column comes from the site's field list at connect time
-- (quoted, as its name has a space). Issues without points count as 0; an issue carried over
-- counts in each of its sprints; one resolved before its sprint started counts on the first day.
-- Jira is asked for: the boards and each board's sprints (once for Sprints, once for
-- SprintIssues), each sprint's issues, and the issues with only their points and resolution
-- dates (fields=customfield_10016,resolutiondate on the demo).
WITH scope AS (
    SELECT s.Id AS SprintId, s.Name AS Sprint, s.StartDate, s.EndDate,
           coalesce(i."Story Points", 0) AS Points, i.ResolutionDate
    FROM Sprints s
    JOIN SprintIssues si ON si.SprintId = s.Id
    JOIN Issues i ON i.Id = si.IssueId
    WHERE s.State <> 'future'
),
days AS (
    SELECT SprintId, Sprint, EndDate,
           sum(Points) OVER (PARTITION BY SprintId) AS Committed,
           date_trunc('day', greatest(ResolutionDate, StartDate)) AS Day,
           Points
    FROM scope
)
SELECT Sprint, CAST(Day AS DATE) AS Day, Committed, sum(Points) AS DonePoints,
       Committed - sum(sum(Points)) OVER (PARTITION BY SprintId ORDER BY Day) AS Remaining
FROM days
WHERE Day <= EndDate
GROUP BY SprintId, Sprint, Day, Committed
ORDER BY SprintId, Day;
