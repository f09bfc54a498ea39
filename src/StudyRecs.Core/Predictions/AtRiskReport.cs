using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;

namespace StudyRecs.Core.Predictions;

/// <summary>One row of a dataset with its forecast (no factors).</summary>
public sealed record RowForecast(string StudentId, int Semester, string Subject, double PredictedMarks, string PredictedGrade, double FailProbability, bool AtRisk, double? FinalMarks);

/// <summary>The forecasts of a whole dataset, or why there are none.</summary>
/// <param name="Truncated">True when the dataset had more rows than <see cref="PredictionOptions.AtRiskMaxRows"/>; the first rows were forecast.</param>
public sealed record DatasetForecasts(UploadedDataset Dataset, IReadOnlyList<RowForecast> Rows, bool Truncated, ServingModels Models);

/// <summary>
/// Forecasts every row of one accepted dataset for the teachers' at-risk list. Results are cached per dataset and
/// model pair (a dataset's rows never change once accepted; a model switch gives a new key).
/// </summary>
public sealed class AtRiskReport(IDbContextFactory<StudyRecsDbContext> dbs, ActiveModels activeModels, Forecaster forecaster, IMemoryCache cache, IOptions<PredictionOptions> options)
{
    /// <summary>Forecasts of the dataset's rows, or null when the dataset does not exist or was rejected.</summary>
    /// <exception cref="ModelsNotReadyException">No models yet.</exception>
    public async Task<DatasetForecasts?> ForDatasetAsync(long datasetId, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var dataset = await db.Set<UploadedDataset>().AsNoTracking().SingleOrDefaultAsync(d => d.Id == datasetId, cancellationToken);
        if (dataset is null || dataset.Status is DatasetStatus.Rejected or DatasetStatus.Uploaded or DatasetStatus.Validating)
        {
            return null;
        }

        var models = await activeModels.GetAsync(cancellationToken);
        if (!models.IsComplete)
        {
            throw new ModelsNotReadyException();
        }

        var key = (nameof(AtRiskReport), datasetId, models.Regression!.Version, models.Classification!.Version);
        if (cache.TryGetValue(key, out (IReadOnlyList<RowForecast> Rows, bool Truncated) cached))
        {
            return new DatasetForecasts(dataset, cached.Rows, cached.Truncated, models);
        }

        var max = options.Value.AtRiskMaxRows;
        var rows = await db.Set<DatasetRow>().AsNoTracking().Where(r => r.DatasetId == datasetId)
            .OrderBy(r => r.RowNumber).Take(max + 1).ToListAsync(cancellationToken);
        var truncated = rows.Count > max;
        var forecasts = rows.Take(max).Select(r =>
        {
            var f = forecaster.Predict(models, Forecaster.FromRow(r), explain: false);
            return new RowForecast(r.StudentId, r.Semester, r.Subject, f.PredictedMarks, f.PredictedGrade, f.FailProbability, f.AtRisk, r.FinalMarks);
        }).ToList();
        cache.Set(key, ((IReadOnlyList<RowForecast>)forecasts, truncated), new MemoryCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(10), Size = forecasts.Count + 1 });
        return new DatasetForecasts(dataset, forecasts, truncated, models);
    }
}
