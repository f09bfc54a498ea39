using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using StudyRecs.Learning.Boosting;
using StudyRecs.Learning.Data;

// Times GradientBoostingTrainer.Fit in-process on synthetic rows shaped like gbdt_anchor.py's
// (20 Gaussian features, 1% missing, the same signal), so a change to the learner can be judged
// quickly (min of several fits; CPU seconds are less disturbed by other processes than wall time) and checked to leave the model bytes unchanged (SHA-256).
//   FitProfile TASK [ROWS=200000] [THREADS=1] [REPEATS=3] [TREES=100]
var task = args.Length > 0 ? args[0] : "multiclass";
var rows = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200_000;
var threads = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1;
var repeats = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 3;
var trees = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 100;
const int features = 20;
var random = new Random(42);
var x = new DenseMatrix(rows, features);
var signal = new double[rows];
for (var i = 0; i < rows; i++)
{
    for (var j = 0; j < features; j++)
    {
        x[i, j] = random.NextDouble() < 0.01 ? float.NaN : (float)Gaussian(random);
    }

    double Z(int j) => float.IsNaN(x[i, j]) ? 0 : x[i, j];
    signal[i] = (Math.Sin(Z(0)) * 3) + (Z(1) * Z(2)) + (Z(3) > 0.5 ? 2 : 0) + (0.5 * Z(4) * Z(4));
}

var (learningTask, labels) = task switch
{
    "regression" => (LearningTask.Regression, signal.Select(v => (float)(v + (0.5 * Gaussian(random)))).ToArray()),
    "binary" => (LearningTask.BinaryClassification, Binary()),
    "multiclass" => (LearningTask.MulticlassClassification, Multiclass()),
    _ => throw new ArgumentException($"Unknown task {task}."),
};

var train = new TrainingSet(x, labels);
var options = new GradientBoostingOptions { NumberOfThreads = threads, NumberOfTrees = trees };
var times = new double[repeats];
var cpu = new double[repeats];
using var process = System.Diagnostics.Process.GetCurrentProcess();
string? hash = null;
StudyRecs.Learning.TreeEnsembleModel? last = null;
for (var r = 0; r < repeats; r++)
{
    process.Refresh();
    var cpuBefore = process.TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    var model = new GradientBoostingTrainer(options).Fit(learningTask, train);
    times[r] = clock.Elapsed.TotalSeconds;
    process.Refresh();
    cpu[r] = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
    var h = Convert.ToHexString(SHA256.HashData(model.ToBytes()))[..16];
    if (hash is not null && h != hash)
    {
        Console.Error.WriteLine($"model bytes differ between repeats: {hash} vs {h}");
    }

    hash = h;
    last = model;
}

// Batch prediction the way `studyrecs learn` times it (first call in the process, then again warm).
var predictRows = new DenseMatrix(rows / 5, features);
x.Values.AsSpan(0, predictRows.Values.Length).CopyTo(predictRows.Values);
var predictTimes = new double[3];
for (var p = 0; p < predictTimes.Length; p++)
{
    var clock = Stopwatch.StartNew();
    _ = learningTask == LearningTask.Regression ? last!.PredictBatch(predictRows, threads) : last!.PredictProbabilitiesBatch(predictRows, threads);
    predictTimes[p] = clock.Elapsed.TotalSeconds;
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{{\"task\":\"{task}\",\"rows\":{rows},\"threads\":{threads},\"min_fit_seconds\":{times.Min():0.000},\"min_cpu_seconds\":{cpu.Min():0.000},\"fits\":[{string.Join(",", times.Select(t => t.ToString("0.000", CultureInfo.InvariantCulture)))}],\"model_sha256\":\"{hash}\",\"predict_rows\":{predictRows.Rows},\"predict_seconds\":[{string.Join(",", predictTimes.Select(t => t.ToString("0.0000", CultureInfo.InvariantCulture)))}]}}"));

float[] Binary()
{
    var median = signal.Order().ElementAt(rows / 2);
    return signal.Select(v => v + Logistic(random) > median ? 1f : 0f).ToArray();
}

float[] Multiclass()
{
    var s = signal.Select(v => v + (0.7 * Gaussian(random))).ToArray();
    var sorted = s.Order().ToArray();
    var quintiles = Enumerable.Range(1, 4).Select(q => sorted[q * rows / 5]).ToArray();
    return s.Select(v => (float)quintiles.Count(q => v >= q)).ToArray();
}

static double Gaussian(Random random) =>
    Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

static double Logistic(Random random)
{
    var u = random.NextDouble();
    return Math.Log(u / (1 - u + double.Epsilon) + double.Epsilon);
}
