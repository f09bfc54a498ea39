using System.Diagnostics;
using Microsoft.Extensions.Options;
using StudyRecs.Core.StudyPlans;

namespace StudyRecs.Core.Predictions;

/// <summary>Who asks for a forecast: their user name, their own student id when linked, and whether they are a student.</summary>
public sealed record ForecastAsker(string UserName, string? StudentId, bool IsStudent);

/// <summary>
/// A forecast with what goes with it: the asker's weak subjects (students only, from their own data; null for staff)
/// and a study plan, under <see cref="RequestId"/>.
/// </summary>
public sealed record ForecastAnswer(string RequestId, Forecast Forecast, IReadOnlyList<WeakSubject>? WeakSubjects, IReadOnlyList<StudyPlanItem> Plan, ServingModels Models);

/// <summary>
/// The forecast use case of the API (and of any page that asks the same question): predicts one checked input, adds
/// the asker's weak subjects and study plan, and audits the answer. The caller chooses how the answer is written; the
/// audit keeps exactly those bytes.
/// </summary>
public sealed class ForecastRequests(
    Forecaster forecaster,
    StudentForecasts students,
    StudyPlanner planner,
    PredictionAuditInbox audit,
    IOptions<PredictionOptions> options,
    TimeProvider time,
    Monitoring.ForecastSnapshotRecorder? snapshots = null)
{
    /// <param name="models">The complete serving pair the input was checked against.</param>
    /// <param name="warnings">Warnings so far; a student without a linked id gets one more.</param>
    /// <param name="inputJson">The request as received, for the audit.</param>
    /// <param name="write">Writes the answer as it is sent; the audit stores the same text.</param>
    /// <param name="source">Where it came from, for the audit (<c>api</c>).</param>
    /// <param name="started">Stopwatch timestamp of when the request arrived, for the audited latency.</param>
    public async Task<(ForecastAnswer Answer, byte[] Body)> AnswerAsync(
        ServingModels models, ForecastInput input, ForecastAsker asker, List<string> warnings, string inputJson,
        Func<ForecastAnswer, byte[]> write, string source, long started, CancellationToken cancellationToken)
    {
        var forecast = forecaster.Predict(models, input);
        IReadOnlyList<WeakSubject>? weak = null;
        IReadOnlyList<StudyPlanItem> plan;
        if (asker.StudentId is { } studentId)
        {
            var overview = await students.OverviewAsync(studentId, cancellationToken);
            weak = overview.WeakSubjects;
            plan = overview.Plan;
        }
        else
        {
            if (asker.IsStudent)
            {
                warnings.Add("weak_subjects: your account is not linked to a student id yet; ask an administrator to link it.");
                weak = [];
            }

            plan = await planner.PlanAsync(planner.WeakSubjects([forecast], options.Value.DefaultTargetGrade), cancellationToken);
        }

        if (asker.StudentId is { } forecastStudent && snapshots is not null)
        {
            await snapshots.RecordAsync(forecastStudent, input, forecast, Monitoring.ForecastSnapshotRecorder.Api, cancellationToken);
        }

        var answer = new ForecastAnswer(Guid.CreateVersion7().ToString("N"), forecast, weak, plan, models);
        // Written once: the same bytes are the answer and the audit record.
        var body = write(answer);
        await audit.EnqueueAsync(new PredictionLog
        {
            AtUtc = time.GetUtcNow().UtcDateTime,
            RequestId = answer.RequestId,
            UserName = asker.UserName,
            StudentId = asker.StudentId,
            Subject = forecast.Subject,
            Source = source,
            InputJson = inputJson,
            OutputJson = System.Text.Encoding.UTF8.GetString(body),
            RegressionVersion = forecast.RegressionVersion,
            ClassificationVersion = forecast.ClassificationVersion,
            PredictedMarks = forecast.PredictedMarks,
            PredictedGrade = forecast.PredictedGrade,
            AtRisk = forecast.AtRisk,
            LatencyMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds,
        }, cancellationToken);
        return (answer, body);
    }
}
