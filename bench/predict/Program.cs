using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Datasets.Generation;
using StudyRecs.Core.Predictions;
using StudyRecs.Core.Training;
using StudyRecs.Learning;

// One forecast in-process, as the API makes it: the input vector built from the model's schema, both models, the
// interval, grade probabilities and TreeSHAP top factors. Anchor in the same run: the bare regression tree ensemble
// on a ready vector. Models are trained first on a generated gradebook (the portal's own pipeline, default grid).
var students = args.SkipWhile(a => a != "--students").Skip(1).Select(int.Parse).FirstOrDefault(400);
var iterations = args.SkipWhile(a => a != "--iterations").Skip(1).Select(int.Parse).FirstOrDefault(200_000);
// --libraries ml.net measures a forecast served by ML.NET's models (the grid restricted to that library).
var libraries = args.SkipWhile(a => a != "--libraries").Skip(1).FirstOrDefault();
var dir = Directory.CreateTempSubdirectory("studyrecs-bench-predict-").FullName;
try
{
    var settings = new Dictionary<string, string?>
    {
        ["ConnectionStrings:StudyRecs"] = $"Data Source={Path.Combine(dir, "bench.db")}",
        ["Storage:DataDirectory"] = dir,
        ["Training:MinimumRows"] = "100",
    };
    if (libraries is not null)
    {
        settings["Training:Libraries:0"] = libraries;
    }

    var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
    var services = new ServiceCollection().AddLogging();
    services.AddSingleton<IConfiguration>(configuration);
    services.AddStudyRecsDatabase(configuration);
    services.AddStudyRecsDatasets();
    services.AddStudyRecsTraining();
    services.AddStudyRecsPredictions();
    await using var sp = services.BuildServiceProvider();
    await using (var scope = sp.CreateAsyncScope())
    {
        await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Database.EnsureCreatedAsync();
        var csv = new MemoryStream();
        await using (var writer = new StreamWriter(csv, leaveOpen: true))
        {
            PerformanceDataGenerator.WriteCsv(new PerformanceDataSpec(students, Seed: 11), writer);
        }

        csv.Position = 0;
        var import = await scope.ServiceProvider.GetRequiredService<DatasetImportService>().ImportAsync(new DatasetUpload(csv, "bench.csv"), CancellationToken.None);
        var pipeline = scope.ServiceProvider.GetRequiredService<TrainingPipeline>();
        var run = await pipeline.CreateRunAsync(new TrainingRequest(null, "bench"), CancellationToken.None);
        var outcome = await pipeline.RunAsync(run.Id, CancellationToken.None);
        Console.WriteLine($"trained on {import.Dataset.LabelledRows:N0} rows: {string.Join("; ", outcome.Models.Select(m => $"{m.Task} {m.Algorithm} ({m.SelectionMetric} {m.SelectionScore:0.###})"))}");
    }

    var models = await sp.GetRequiredService<ActiveModels>().GetAsync(CancellationToken.None);
    var forecaster = sp.GetRequiredService<Forecaster>();
    List<ForecastInput> inputs;
    await using (var scope = sp.CreateAsyncScope())
    {
        inputs = (await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<DatasetRow>().AsNoTracking().OrderBy(r => r.Id).Take(1000).ToListAsync())
            .Select(Forecaster.FromRow).ToList();
    }

    var regression = models.Regression!;
    var vectors = inputs.Select(i => regression.Schema.Encode(Forecaster.ToRow(i))).ToList();
    Console.WriteLine($"regression: {regression.Model.Algorithm} ({regression.Model.Format}), {regression.Model.FeatureCount} features{(regression.Model.As<TreeEnsembleModel>() is { } trees ? $", {trees.TreeCount} trees" : "")}; classification: {models.Classification!.Model.Algorithm} ({models.Classification.Model.Format}), {models.Classification.Model.ClassCount} grades{(models.Classification.Model.As<TreeEnsembleModel>() is { } gradeTrees ? $", {gradeTrees.TreeCount} trees" : "")}");
    Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
    Console.WriteLine();
    Console.WriteLine("| measure | mean µs | p50 µs | p99 µs | bytes allocated / call |");
    Console.WriteLine("|---|---:|---:|---:|---:|");
    var anchor = Measure("anchor: regression ensemble on a ready vector", i => regression.Model.Predict(vectors[i % vectors.Count]));
    var explainer = regression.Model.As<IExplainableModel>();
    if (explainer is not null)
    {
        Measure("TreeSHAP of the marks model alone, on a ready vector", i => explainer.Explain(vectors[i % vectors.Count]));
    }

    var classification = models.Classification!;
    var probabilities = new double[classification.Model.ClassCount];
    var gradeVectors = ReferenceEquals(classification.Schema, regression.Schema) ? vectors : inputs.Select(i => classification.Schema.Encode(Forecaster.ToRow(i))).ToList();
    Measure("grade probabilities alone, on a ready vector", i =>
    {
        classification.Model.PredictProbabilities(gradeVectors[i % gradeVectors.Count], probabilities);
        return probabilities;
    });
    var plain = Measure("forecast without factors (vector, both models, interval, probabilities)", i => forecaster.Predict(models, inputs[i % inputs.Count], explain: false));
    var full = Measure("full forecast (… plus TreeSHAP top factors in words)", i => forecaster.Predict(models, inputs[i % inputs.Count]));
    Console.WriteLine();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"full forecast = {full / anchor:0.0}× the anchor; without factors {plain / anchor:0.0}×. Target: full forecast under 100 µs."));
}
finally
{
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    Directory.Delete(dir, recursive: true);
}

double Measure(string name, Func<int, object> action)
{
    for (var i = 0; i < Math.Min(iterations, 20_000); i++)
    {
        action(i);
    }

    var samples = new double[iterations];
    var before = GC.GetAllocatedBytesForCurrentThread();
    for (var i = 0; i < iterations; i++)
    {
        var start = Stopwatch.GetTimestamp();
        action(i);
        samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    }

    var allocated = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)iterations;
    Array.Sort(samples);
    var mean = samples.Average();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {mean:0.00} | {samples[iterations / 2]:0.00} | {samples[(int)(iterations * 0.99)]:0.00} | {allocated:N0} |"));
    return mean;
}
