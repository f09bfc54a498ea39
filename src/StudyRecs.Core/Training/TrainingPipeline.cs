using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Learning;
using StudyRecs.Learning.Data;

namespace StudyRecs.Core.Training;

/// <summary>What to train on and who asked.</summary>
/// <param name="DatasetIds">Datasets to train on; null means every labelled row of every accepted dataset.</param>
/// <param name="TriggeredBy">"job" or the user id or e-mail of who asked.</param>
/// <param name="TrainingRunId">An existing run to queue again (a retry after failure or interruption) instead of a new one.</param>
/// <param name="Trigger">What kind of event asked for it (recorded on the run).</param>
public sealed record TrainingRequest(IReadOnlyList<long>? DatasetIds, string TriggeredBy, long? TrainingRunId = null, TrainingTrigger Trigger = TrainingTrigger.Manual);

/// <summary>The finished run and the model versions it stored (none when it failed).</summary>
public sealed record TrainingOutcome(TrainingRun Run, IReadOnlyList<TrainedModel> Models);

/// <summary>
/// Trains the final-marks (regression) and final-grade (classification) models from accepted datasets and stores them
/// as new registry versions: builds the <see cref="FeatureSchema"/>, cross-validates a small grid per task on folds
/// grouped by student, refits and calibrates the winners, and writes both versions, their candidate runs, the
/// activation decision and the dataset statuses in one transaction at the end, so a killed process leaves no
/// half-written model (its run is found by <see cref="MarkInterruptedRunsAsync"/>). Progress is saved on the
/// <see cref="TrainingRun"/> as it goes.
/// </summary>
public sealed partial class TrainingPipeline(
    IDbContextFactory<StudyRecsDbContext> dbs,
    IOptions<TrainingOptions> options,
    IOptions<DatasetOptions> datasetOptions,
    TimeProvider time,
    ILogger<TrainingPipeline> logger)
{
    private readonly TrainingOptions _options = options.Value;
    private readonly DatasetOptions _datasetOptions = datasetOptions.Value;

    /// <summary>Labelled rows a task needs.</summary>
    public int MinimumRows => _options.MinimumRows ?? _datasetOptions.MinimumLabelledRowsToTrain;

    /// <summary>
    /// Inserts a <see cref="TrainingRunStatus.Queued"/> run for <paramref name="request"/>. With
    /// <see cref="TrainingRequest.TrainingRunId"/> set, that run is returned instead, queued again when it had failed
    /// or been interrupted (so a retried job keeps one run).
    /// </summary>
    public async Task<TrainingRun> CreateRunAsync(TrainingRequest request, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(request.TriggeredBy);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        if (request.TrainingRunId is { } existingId)
        {
            var existing = await db.Set<TrainingRun>().SingleOrDefaultAsync(r => r.Id == existingId && r.Kind == TrainingRunKind.Grades, cancellationToken)
                ?? throw new InvalidOperationException($"Training run #{existingId} does not exist.");
            if (existing.Status is TrainingRunStatus.Failed or TrainingRunStatus.Interrupted)
            {
                existing.Status = TrainingRunStatus.Queued;
                existing.Step = "Queued again";
                existing.Error = null;
                existing.FinishedAt = null;
                await db.SaveChangesAsync(cancellationToken);
            }

            return existing;
        }

        var run = new TrainingRun
        {
            StartedAt = time.GetUtcNow(),
            Status = TrainingRunStatus.Queued,
            Step = "Queued",
            DatasetIdsJson = request.DatasetIds is null ? null : JsonSerializer.Serialize(request.DatasetIds.Distinct().Order()),
            TriggeredBy = request.TriggeredBy,
            Trigger = request.Trigger,
        };
        db.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        return run;
    }

    /// <summary>
    /// Runs a queued (or failed, or interrupted) training run to the end. Data that cannot train a model (no accepted
    /// dataset, too few labelled rows, fewer than two students) ends the run as <see cref="TrainingRunStatus.Failed"/>
    /// with the reason in <see cref="TrainingRun.Error"/>; other failures are recorded the same way and rethrown, so a
    /// scheduler can retry them. Cancellation marks the run <see cref="TrainingRunStatus.Interrupted"/> and rethrows.
    /// </summary>
    /// <exception cref="InvalidOperationException">The run does not exist, is running, or has succeeded.</exception>
    public async Task<TrainingOutcome> RunAsync(long trainingRunId, CancellationToken cancellationToken)
    {
        // One context for the whole run: it tracks the run's progress and the datasets it moves on.
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);

        // Claim the run in one statement, so two workers handed the same run cannot both start it.
        var now = time.GetUtcNow();
        var worker = TrainingNode.Current.ToString();
        var claimed = await db.Set<TrainingRun>()
            .Where(r => r.Id == trainingRunId && r.Kind == TrainingRunKind.Grades && (r.Status == TrainingRunStatus.Queued || r.Status == TrainingRunStatus.Failed || r.Status == TrainingRunStatus.Interrupted))
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, TrainingRunStatus.Running)
                .SetProperty(r => r.StartedAt, now)
                .SetProperty(r => r.FinishedAt, (DateTimeOffset?)null)
                .SetProperty(r => r.Error, (string?)null)
                .SetProperty(r => r.ResultSummary, (string?)null)
                .SetProperty(r => r.CandidateIndex, 0)
                .SetProperty(r => r.CandidateCount, 0)
                .SetProperty(r => r.Worker, worker)
                .SetProperty(r => r.HeartbeatAt, now)
                .SetProperty(r => r.Step, "Loading rows"), cancellationToken);
        var run = await CurrentRunAsync(db, trainingRunId, cancellationToken);
        if (claimed == 0)
        {
            throw new InvalidOperationException($"Training run #{trainingRunId} is {run.Status.ToString().ToLowerInvariant()}; only queued, failed or interrupted runs can run.");
        }

        LogStarted(logger, run.Id, run.TriggeredBy);

        List<UploadedDataset> datasets = [];
        try
        {
            var requested = run.DatasetIdsJson is null ? null : JsonSerializer.Deserialize<long[]>(run.DatasetIdsJson);
            datasets = await TrainingData.ResolveDatasetsAsync(db, requested, cancellationToken);
            if (datasets.Count == 0)
            {
                throw new TrainingDataException("There is no accepted dataset to train on; upload a gradebook first.");
            }

            foreach (var dataset in datasets)
            {
                dataset.SetStatus(DatasetStatus.Training, time.GetUtcNow());
            }

            var datasetIds = datasets.Select(d => d.Id).ToArray();
            run.TrainingDatasetIdsJson = JsonSerializer.Serialize(datasetIds);
            await db.SaveChangesAsync(cancellationToken);

            var models = await TrainAsync(db, run, datasets, datasetIds, cancellationToken);
            LogSucceeded(logger, run.Id, run.ResultSummary);
            return new TrainingOutcome(run, models);
        }
        catch (TrainingDataException ex)
        {
            await FinishFailedAsync(db, run, datasets, TrainingRunStatus.Failed, ex.Message);
            LogRefused(logger, run.Id, ex.Message);
            return new TrainingOutcome(run, []);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await FinishFailedAsync(db, run, datasets, TrainingRunStatus.Interrupted, "The run was cancelled before it finished; nothing was stored.");
            throw;
        }
        catch (Exception ex)
        {
            LogFailed(logger, ex, run.Id);
            await FinishFailedAsync(db, run, datasets, TrainingRunStatus.Failed, $"Training failed: {ex.Message}");
            throw;
        }
    }

    /// <summary>
    /// Marks runs left <see cref="TrainingRunStatus.Running"/> by a stopped process as
    /// <see cref="TrainingRunStatus.Interrupted"/>, and their datasets still in training as failed. Call it at start-up:
    /// it takes the running runs with no node recorded, those of this machine whose process is gone (see
    /// <see cref="TrainingNode.CheckFromHere"/>: a live process of this machine, such as a second portal on the same
    /// host, keeps its run), and those of any node whose progress has not been saved for
    /// <see cref="TrainingOptions.StaleRunMinutes"/> (a node of another machine or another container cannot be checked;
    /// on a clustered scheduler its job is recovered when its check-in goes stale). With <paramref name="recoveredRunId"/>, marks that run only, whatever
    /// its heartbeat: the scheduler recovered its job, so the node that ran it is known to be gone.
    /// Returns how many runs it marked.
    /// </summary>
    public Task<int> MarkInterruptedRunsAsync(CancellationToken cancellationToken) => MarkInterruptedRunsAsync(null, cancellationToken);

    /// <inheritdoc cref="MarkInterruptedRunsAsync(CancellationToken)"/>
    public async Task<int> MarkInterruptedRunsAsync(long? recoveredRunId, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var staleBefore = now.AddMinutes(-_options.StaleRunMinutes);
        var running = await db.Set<TrainingRun>().Where(r => r.Status == TrainingRunStatus.Running).ToListAsync(cancellationToken);
        var interrupted = recoveredRunId is { } recovered
            ? running.Where(r => r.Id == recovered).ToList()
            : running.Where(r => r.Worker is null || r.HeartbeatAt is null || r.HeartbeatAt < staleBefore || TrainingNode.Parse(r.Worker).CheckFromHere() == NodeLiveness.Gone).ToList();
        if (interrupted.Count == 0)
        {
            return 0;
        }

        var datasetIds = interrupted.Where(r => r.TrainingDatasetIdsJson is not null)
            .SelectMany(r => JsonSerializer.Deserialize<long[]>(r.TrainingDatasetIdsJson!)!).Distinct().ToArray();
        var datasets = await db.Set<UploadedDataset>().Where(d => datasetIds.Contains(d.Id) && d.Status == DatasetStatus.Training).ToListAsync(cancellationToken);
        foreach (var run in interrupted)
        {
            run.Status = TrainingRunStatus.Interrupted;
            run.FinishedAt = now;
            run.Error = $"The process stopped during \"{run.Step}\"; nothing of this run was stored.";
            LogInterrupted(logger, run.Id, run.Step);
        }

        foreach (var dataset in datasets)
        {
            dataset.SetStatus(DatasetStatus.TrainingFailed, now, "Training was interrupted when the process stopped.");
        }

        await db.SaveChangesAsync(cancellationToken);
        return interrupted.Count;
    }

    /// <summary>
    /// SHA-256 of the rows a run over <paramref name="datasetIds"/> (null: all accepted datasets) would train on, as
    /// stored in <see cref="TrainedModel.DataHash"/>; null when there are no labelled rows. Lets the nightly job skip
    /// retraining when nothing changed.
    /// </summary>
    public async Task<string?> CurrentDataHashAsync(IReadOnlyList<long>? datasetIds, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var datasets = await TrainingData.ResolveDatasetsAsync(db, datasetIds, cancellationToken);
        var rows = await TrainingData.LoadLabelledRowsAsync(db, datasets.Select(d => d.Id).ToArray(), cancellationToken);
        return rows.Count == 0 ? null : TrainingData.Hash(rows);
    }

    private async Task<IReadOnlyList<TrainedModel>> TrainAsync(StudyRecsDbContext db, TrainingRun run, List<UploadedDataset> datasets, long[] datasetIds, CancellationToken cancellationToken)
    {
        var rows = await TrainingData.LoadLabelledRowsAsync(db, datasetIds, cancellationToken);
        var minimum = MinimumRows;
        if (rows.Count < minimum)
        {
            throw new TrainingDataException(string.Create(CultureInfo.InvariantCulture,
                $"Only {rows.Count} labelled rows in {Describe(datasetIds)}; training needs at least {minimum} (setting Training:MinimumRows, default Datasets:MinimumLabelledRowsToTrain)."));
        }

        var dataHash = TrainingData.Hash(rows);
        var schema = FeatureSchema.Build(rows, _datasetOptions);
        var schemaJson = schema.ToJson();
        var profile = Monitoring.TrainingProfile.Build(rows.Select(r => new Monitoring.MonitoredInput(r.Subject, r.AssignmentMarks, r.QuizMarks, r.AttendancePercentage, r.MidtermMarks, r.PreviousCgpa)).ToArray());
        var features = schema.EncodeAll(rows);
        var notes = new List<string>();
        var regression = RegressionData(rows, features, schema, datasetIds, dataHash, minimum, notes);
        var classification = ClassificationData(rows, features, schema, datasetIds, dataHash, minimum, notes);
        if (regression is null && classification is null)
        {
            throw new TrainingDataException("Neither task has enough labelled rows: " + string.Join(" ", notes));
        }

        var threads = _options.Threads ?? Environment.ProcessorCount;
        var trainer = new CrossValidatedTrainer(_options.CvFolds, _options.Seed, threads, Grid, time);
        var regressionCandidates = regression is null ? 0 : Grid(ModelTask.Regression).Count;
        run.CandidateCount = regressionCandidates + (classification is null ? 0 : Grid(ModelTask.Classification).Count);
        var results = new List<(ModelTask Task, TaskTrainingResult Result)>();
        if (regression is not null)
        {
            results.Add((ModelTask.Regression, await trainer.TrainRegressionAsync(regression, new RunProgress(this, db, run, 0), cancellationToken)));
        }

        if (classification is not null)
        {
            results.Add((ModelTask.Classification, await trainer.TrainClassificationAsync(classification, new RunProgress(this, db, run, regressionCandidates), cancellationToken)));
        }

        await SaveProgressAsync(db, run, "Saving", cancellationToken);
        return await StoreAsync(db, run, datasets, datasetIds, dataHash, schemaJson, profile, results, notes, cancellationToken);
    }

    private IReadOnlyList<TrainingCandidate> Grid(ModelTask task) => TrainingCandidate.Grid(task, _options, logger);

    private static TaskData? RegressionData(List<DatasetRow> rows, DenseMatrix features, FeatureSchema schema, long[] datasetIds, string dataHash, int minimum, List<string> notes)
    {
        var selected = Enumerable.Range(0, rows.Count).Where(i => rows[i].FinalMarks is not null).ToArray();
        if (selected.Length < minimum)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"Regression was not trained: {selected.Length} rows have final marks, {minimum} are needed."));
            return null;
        }

        var labels = selected.Select(i => (float)rows[i].FinalMarks!.Value).ToArray();
        var set = new TrainingSet(features.SelectRows(selected), labels) { FeatureNames = schema.FeatureNames };
        return new TaskData(set, selected.Select(i => rows[i].StudentId).ToArray(), datasetIds, dataHash);
    }

    /// <summary>Classes are the grade scale's grades present in the rows, best first; grades no longer on the scale are left out.</summary>
    private TaskData? ClassificationData(List<DatasetRow> rows, DenseMatrix features, FeatureSchema schema, long[] datasetIds, string dataHash, int minimum, List<string> notes)
    {
        var scale = _datasetOptions.BuildGradeScale();
        var grades = rows.Select(r => r.FinalGrade is null ? null : scale.Normalize(r.FinalGrade)).ToArray();
        var selected = Enumerable.Range(0, rows.Count).Where(i => grades[i] is not null).ToArray();
        var present = scale.Labels.Where(label => selected.Any(i => grades[i] == label)).ToArray();
        if (selected.Length < minimum || present.Length < 2)
        {
            notes.Add(present.Length < 2
                ? string.Create(CultureInfo.InvariantCulture, $"Classification was not trained: the rows hold {present.Length} grade(s) of the grade scale, at least 2 are needed.")
                : string.Create(CultureInfo.InvariantCulture, $"Classification was not trained: {selected.Length} rows have a final grade on the grade scale, {minimum} are needed."));
            return null;
        }

        var index = present.Select((g, k) => (g, k)).ToDictionary(x => x.g, x => x.k, StringComparer.Ordinal);
        var labels = selected.Select(i => (float)index[grades[i]!]).ToArray();
        var set = new TrainingSet(features.SelectRows(selected), labels) { FeatureNames = schema.FeatureNames, ClassCount = present.Length, ClassLabels = present };
        return new TaskData(set, selected.Select(i => rows[i].StudentId).ToArray(), datasetIds, dataHash);
    }

    /// <summary>One transaction: each task's version, its candidate runs and activation, the dataset statuses and the run's result.</summary>
    private async Task<IReadOnlyList<TrainedModel>> StoreAsync(
        StudyRecsDbContext db, TrainingRun run, List<UploadedDataset> datasets, long[] datasetIds, string dataHash, string schemaJson, Monitoring.TrainingProfile profile,
        List<(ModelTask Task, TaskTrainingResult Result)> results, List<string> notes, CancellationToken cancellationToken)
    {
        var summary = new List<string>();
        var models = new List<TrainedModel>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = time.GetUtcNow();
        foreach (var (task, result) in results)
        {
            // The candidate runs first (saved with the version), then the version, its artifact and its activation.
            foreach (var candidate in result.Candidates)
            {
                db.Add(new ModelRun
                {
                    TrainingRunId = run.Id,
                    Task = task,
                    Candidate = candidate.Candidate.Name,
                    Algorithm = candidate.Candidate.Algorithm,
                    SettingsJson = candidate.Candidate.SettingsJson,
                    CvMetricsJson = ModelMetricsJson.Write(candidate.Metrics),
                    DurationSeconds = candidate.Seconds,
                    Selected = candidate.Selected,
                });
            }

            var registered = await ModelRegistration.RegisterAsync(db, new NewModelVersion(task, result.Winner.Algorithm, result.Winner.SettingsJson, result.MetricsJson,
                version => Artifact(result.Model, version, task, dataHash, run.Id), run.TriggeredBy, result.RowsUsed, dataHash, result.DurationSeconds, result.SelectionMetric, result.SelectionScore)
            {
                TrainingRunId = run.Id,
                FeatureSchemaJson = schemaJson,
                DatasetIdsJson = JsonSerializer.Serialize(datasetIds),
            }, now, _options.ActivationTolerance, cancellationToken);

            // The training rows' distributions, what drift monitoring compares the version's later inputs with.
            db.Add(new Monitoring.ModelTrainingProfile { TrainedModelId = registered.Model.Id, Rows = profile.Rows, ProfileJson = profile.ToJson() });
            summary.Add($"{task}: {registered.Model.Version} {result.Winner.Name}: {(registered.Activated ? "active" : "kept inactive")}; {registered.Reason}");
            models.Add(registered.Model);
        }

        foreach (var dataset in datasets)
        {
            dataset.SetStatus(DatasetStatus.Trained, now);
        }

        run.Status = TrainingRunStatus.Succeeded;
        run.FinishedAt = now;
        run.Step = "Finished";
        run.ResultSummary = string.Join('\n', summary.Concat(notes));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return models;
    }

    // The winner with the registry's facts in its metadata, serialised in its own format.
    private static ArtifactContent Artifact(Learning.IModel model, string version, ModelTask task, string dataHash, long runId)
    {
        var stamped = model.WithMetadata(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["version"] = version,
            ["task"] = task.ToString(),
            ["data_hash"] = dataHash,
            ["training_run"] = runId.ToString(CultureInfo.InvariantCulture),
        });
        return ArtifactContent.Of(stamped.Format, stamped.ToBytes());
    }

    private static string Lower(ModelTask task) => task.ToString().ToLowerInvariant();

    private static string Describe(long[] datasetIds) =>
        (datasetIds.Length == 1 ? "dataset #" : "datasets #") + string.Join(", #", datasetIds.Select(id => id.ToString(CultureInfo.InvariantCulture)));

    /// <summary>The run as stored now, also when this context already tracks an older copy.</summary>
    private static async Task<TrainingRun> CurrentRunAsync(StudyRecsDbContext db, long trainingRunId, CancellationToken cancellationToken)
    {
        if (db.Set<TrainingRun>().Local.FirstOrDefault(r => r.Id == trainingRunId) is { } tracked)
        {
            await db.Entry(tracked).ReloadAsync(cancellationToken);
            return tracked;
        }

        return await db.Set<TrainingRun>().SingleOrDefaultAsync(r => r.Id == trainingRunId, cancellationToken)
            ?? throw new InvalidOperationException($"Training run #{trainingRunId} does not exist.");
    }

    private async Task SaveProgressAsync(StudyRecsDbContext db, TrainingRun run, string step, CancellationToken cancellationToken)
    {
        run.Step = step;
        run.HeartbeatAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Records a run that ended without models; nothing of its training was written, so only statuses change.</summary>
    private async Task FinishFailedAsync(StudyRecsDbContext db, TrainingRun run, List<UploadedDataset> datasets, TrainingRunStatus status, string error)
    {
        db.ChangeTracker.Clear();
        var now = time.GetUtcNow();
        var stored = await db.Set<TrainingRun>().SingleAsync(r => r.Id == run.Id, CancellationToken.None);
        stored.Status = status;
        stored.FinishedAt = now;
        stored.Error = error.Length > 4000 ? error[..4000] : error;
        var ids = datasets.Select(d => d.Id).ToArray();
        var inTraining = await db.Set<UploadedDataset>().Where(d => ids.Contains(d.Id) && d.Status == DatasetStatus.Training).ToListAsync(CancellationToken.None);
        foreach (var dataset in inTraining)
        {
            dataset.SetStatus(DatasetStatus.TrainingFailed, now, error.Length > 2000 ? error[..2000] : error);
        }

        await db.SaveChangesAsync(CancellationToken.None);
        (run.Status, run.FinishedAt, run.Error) = (stored.Status, stored.FinishedAt, stored.Error);
    }

    /// <summary>Saves "candidate i of n" (counted over both tasks) on the run.</summary>
    private sealed class RunProgress(TrainingPipeline pipeline, StudyRecsDbContext db, TrainingRun run, int offset) : ITrainingProgress
    {
        public Task CandidateAsync(ModelTask task, int index, int count, CancellationToken cancellationToken)
        {
            run.CandidateIndex = offset + index + 1;
            return pipeline.SaveProgressAsync(db, run, string.Create(CultureInfo.InvariantCulture,
                $"Cross-validating {Lower(task)} candidate {run.CandidateIndex} of {run.CandidateCount}"), cancellationToken);
        }

        public Task StepAsync(string step, CancellationToken cancellationToken) => pipeline.SaveProgressAsync(db, run, step, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Training run {RunId} started (triggered by {TriggeredBy}).")]
    private static partial void LogStarted(ILogger logger, long runId, string triggeredBy);

    [LoggerMessage(Level = LogLevel.Information, Message = "Training run {RunId} succeeded: {Summary}")]
    private static partial void LogSucceeded(ILogger logger, long runId, string? summary);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Training run {RunId} could not train: {Reason}")]
    private static partial void LogRefused(ILogger logger, long runId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Training run {RunId} failed.")]
    private static partial void LogFailed(ILogger logger, Exception exception, long runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Training run {RunId} was interrupted during {Step}.")]
    private static partial void LogInterrupted(ILogger logger, long runId, string step);
}
