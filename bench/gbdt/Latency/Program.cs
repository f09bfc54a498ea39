using System.Diagnostics;
using System.Globalization;
using StudyRecs.Learning.Boosting;
using StudyRecs.Learning.Data;

// Trains FastTree-default models on 100,000 × 20 synthetic rows (the anchor's signal), then times
// Predict / PredictProbabilities one row at a time and reports the median of 7 passes in µs/row
// (wall clock, and process CPU time, which a loaded machine disturbs less), plus the bytes
// allocated per call.
const int rows = 100_000;
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

var median = signal.Order().ElementAt(rows / 2);
var quintiles = Enumerable.Range(1, 4).Select(q => signal.Order().ElementAt(q * rows / 5)).ToArray();
var tasks = new (string Name, LearningTask Task, float[] Labels)[]
{
    ("regression", LearningTask.Regression, signal.Select(v => (float)(v + (0.5 * Gaussian(random)))).ToArray()),
    ("binary", LearningTask.BinaryClassification, signal.Select(v => v > median ? 1f : 0f).ToArray()),
    ("multiclass", LearningTask.MulticlassClassification, signal.Select(v => (float)quintiles.Count(q => v > q)).ToArray()),
};

var threads = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2;
foreach (var (name, task, labels) in tasks)
{
    var model = new GradientBoostingTrainer(new GradientBoostingOptions { NumberOfThreads = threads }).Fit(task, new TrainingSet(x, labels));
    var probabilities = new double[Math.Max(2, model.ClassCount)];
    var sink = 0.0;
    void PredictOne(int i)
    {
        if (model.ClassCount > 0)
        {
            model.PredictProbabilities(x.Row(i), probabilities);
            sink += probabilities[0];
        }
        else
        {
            sink += model.Predict(x.Row(i));
        }
    }

    for (var i = 0; i < 20_000; i++)
    {
        PredictOne(i);
    }

    var passes = new double[7];
    var cpuPasses = new double[7];
    using var process = Process.GetCurrentProcess();
    const int calls = 100_000;
    var allocated = GC.GetAllocatedBytesForCurrentThread();
    for (var p = 0; p < passes.Length; p++)
    {
        process.Refresh();
        var cpu = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < calls; i++)
        {
            PredictOne(i);
        }

        passes[p] = clock.Elapsed.TotalMicroseconds / calls;
        process.Refresh();
        cpuPasses[p] = (process.TotalProcessorTime - cpu).TotalMicroseconds / calls;
    }

    var bytesPerCall = (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)(calls * passes.Length);
    Array.Sort(passes);
    Array.Sort(cpuPasses);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{{\"task\":\"{name}\",\"trees\":{model.TreeCount},\"single_row_us\":{passes[3]:0.000},\"single_row_cpu_us\":{cpuPasses[3]:0.000},\"bytes_per_call\":{bytesPerCall:0.###},\"checksum\":{sink:0.###}}}"));
}

static double Gaussian(Random random) =>
    Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
