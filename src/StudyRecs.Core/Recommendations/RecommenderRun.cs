using Microsoft.EntityFrameworkCore;
using StudyRecs.Core.Data;
using StudyRecs.Core.Training;

namespace StudyRecs.Core.Recommendations;

/// <summary>
/// The <see cref="TrainingRun"/> of one recommender retraining: started running on this machine, its step and
/// strategy count saved as the fit goes (from the fitting thread, each in a statement of its own), and finished with
/// its outcome. Progress saves double as the heartbeat that stale-run detection reads.
/// </summary>
internal sealed class RecommenderRun(IDbContextFactory<StudyRecsDbContext> dbs, TimeProvider time)
{
    private const int StepLength = 200;
    private const int TextLength = 4000;

    public long Id { get; private set; }

    /// <summary>The step last reported.</summary>
    public string Step { get; private set; } = "Loading events";

    public async Task StartAsync(string by, TrainingTrigger trigger, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var run = new TrainingRun
        {
            Kind = TrainingRunKind.Recommendations,
            StartedAt = now,
            Status = TrainingRunStatus.Running,
            Step = Step,
            TriggeredBy = by,
            Trigger = trigger,
            Worker = TrainingNode.Current.ToString(),
            HeartbeatAt = now,
        };
        db.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        Id = run.Id;
    }

    /// <summary>Saves the step now; the strategy count stays as the evaluation left it.</summary>
    public void Report(string step)
    {
        Step = Cut(step, StepLength);
        using var db = dbs.CreateDbContext();
        var now = time.GetUtcNow();
        db.Set<TrainingRun>().Where(r => r.Id == Id).ExecuteUpdate(s => s.SetProperty(r => r.Step, Step).SetProperty(r => r.HeartbeatAt, now));
    }

    /// <summary>Saves the step and that strategy <paramref name="index"/> of <paramref name="count"/> is being evaluated, now.</summary>
    public void Report(string step, int index, int count)
    {
        Step = Cut(step, StepLength);
        using var db = dbs.CreateDbContext();
        var now = time.GetUtcNow();
        db.Set<TrainingRun>().Where(r => r.Id == Id).ExecuteUpdate(s => s
            .SetProperty(r => r.Step, Step)
            .SetProperty(r => r.CandidateIndex, index)
            .SetProperty(r => r.CandidateCount, count)
            .SetProperty(r => r.HeartbeatAt, now));
    }

    /// <summary>Ends the run; a success keeps the outcome as its summary, anything else as its error. Not cancellable: the run must not stay running.</summary>
    public async Task FinishAsync(TrainingRunStatus status, string outcome)
    {
        await using var db = await dbs.CreateDbContextAsync(CancellationToken.None);
        var now = time.GetUtcNow();
        var text = Cut(outcome, TextLength);
        var succeeded = status == TrainingRunStatus.Succeeded;
        await db.Set<TrainingRun>().Where(r => r.Id == Id).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.Status, status)
            .SetProperty(r => r.FinishedAt, now)
            .SetProperty(r => r.HeartbeatAt, now)
            .SetProperty(r => r.Step, succeeded ? "Finished" : Step)
            .SetProperty(r => r.ResultSummary, succeeded ? text : null)
            .SetProperty(r => r.Error, succeeded ? null : text), CancellationToken.None);
    }

    private static string Cut(string text, int length) => text.Length > length ? text[..(length - 1)] + "…" : text;
}
