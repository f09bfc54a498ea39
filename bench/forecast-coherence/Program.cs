using System.Diagnostics;
using System.Globalization;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Datasets.Generation;
using StudyRecs.Core.Predictions;
using StudyRecs.Core.Training;
using StudyRecs.Learning.Calibration;
using StudyRecs.Learning.Data;
using StudyRecs.Learning.Validation;

// Calibration of the portal's grade probabilities before and after CoherentGrades, under the portal's own grouped CV:
// the same generated gradebook, feature schema, candidate grid, student folds, selection rule and temperature
// calibration as a training run. Every row's held-out marks and held-out calibrated probabilities are reconciled as the
// forecaster does, and both sets of probabilities are scored against the true grades.
var students = Arg("--students", 1_000);
var seeds = Arg("--seeds", 3);
var folds = Arg("--folds", 5);
var threads = Arg("--threads", Environment.ProcessorCount);
var datasetOptions = new DatasetOptions();
var scale = datasetOptions.BuildGradeScale();
Console.WriteLine($"forecast coherence: {students} students x 10 rows, {folds}-fold CV grouped by student, seeds 1..{seeds}, {threads} threads");
Console.WriteLine("seed  rows  disagree  brier_classifier  brier_coherent  ratio   logloss_classifier  logloss_coherent  ratio   acc_classifier  acc_coherent  seconds");
double sumBrierRatio = 0, sumLogRatio = 0;
for (var seed = 1; seed <= seeds; seed++)
{
    var clock = Stopwatch.StartNew();
    var rows = PerformanceDataGenerator.Rows(new PerformanceDataSpec(students, Seed: seed)).Select(ToRow)
        .Where(r => r.FinalMarks is not null && r.FinalGrade is not null).ToList();
    var schema = FeatureSchema.Build(rows, datasetOptions);
    var features = schema.EncodeAll(rows);
    var splits = CrossValidatedTrainer.StudentFolds(rows.Select(r => r.StudentId).ToArray(), folds, seed);

    var marksSet = new TrainingSet(features, rows.Select(r => (float)r.FinalMarks!.Value).ToArray()) { FeatureNames = schema.FeatureNames };
    var marks = (await new CandidateSelection(StudyRecs.Learning.Data.LearningTask.Regression, threads)
        .SelectAsync([.. TrainingCandidate.Grid(ModelTask.Regression, seed).Select(c => c.Learner)], marksSet, splits)).Winner.OutOfFold;

    var present = scale.Labels.Where(l => rows.Any(r => r.FinalGrade == l)).ToArray();
    var classOf = rows.Select(r => Array.IndexOf(present, r.FinalGrade)).ToArray();
    var gradeSet = new TrainingSet(features, classOf.Select(c => (float)c).ToArray())
    {
        FeatureNames = schema.FeatureNames, ClassCount = present.Length, ClassLabels = present,
    };
    var probabilities = (await new CandidateSelection(StudyRecs.Learning.Data.LearningTask.MulticlassClassification, threads)
        .SelectAsync([.. TrainingCandidate.Grid(ModelTask.Classification, seed).Select(c => c.Learner)], gradeSet, splits)).Winner.OutOfFold;
    var calibrator = TemperatureCalibrator.Fit(probabilities, gradeSet.Labels, present.Length);
    var k = present.Length;
    for (var i = 0; i < rows.Count; i++)
    {
        calibrator.Calibrate(probabilities.AsSpan(i * k, k));
    }

    double brierRaw = 0, brierCoherent = 0, logRaw = 0, logCoherent = 0;
    int disagree = 0, rightRaw = 0, rightCoherent = 0;
    for (var i = 0; i < rows.Count; i++)
    {
        var raw = probabilities.AsSpan(i * k, k);
        var shown = Math.Round(Math.Clamp(marks[i], 0, datasetOptions.FinalMarksMax), 1, MidpointRounding.AwayFromZero);
        var (grade, coherent) = CoherentGrades.Reconcile(scale, 100 * shown / datasetOptions.FinalMarksMax, present, raw);
        var truth = rows[i].FinalGrade!;
        var mode = present[raw.IndexOf(Max(raw))];
        disagree += mode != grade ? 1 : 0;
        rightRaw += mode == truth ? 1 : 0;
        rightCoherent += grade == truth ? 1 : 0;
        for (var c = 0; c < k; c++)
        {
            var y = c == classOf[i] ? 1.0 : 0.0;
            brierRaw += (raw[c] - y) * (raw[c] - y);
        }

        foreach (var g in coherent)
        {
            var y = g.Grade == truth ? 1.0 : 0.0;
            brierCoherent += (g.Probability - y) * (g.Probability - y);
        }

        logRaw -= Math.Log(Math.Max(raw[classOf[i]], 1e-15));
        logCoherent -= Math.Log(Math.Max(coherent.Single(g => g.Grade == truth).Probability, 1e-15));
    }

    var n = rows.Count;
    sumBrierRatio += brierCoherent / brierRaw;
    sumLogRatio += logCoherent / logRaw;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{seed,4}  {n,5}  {(double)disagree / n,8:P1}  {brierRaw / n,16:F4}  {brierCoherent / n,14:F4}  {brierCoherent / brierRaw,5:F3}   {logRaw / n,18:F4}  {logCoherent / n,16:F4}  {logCoherent / logRaw,5:F3}   {(double)rightRaw / n,14:P1}  {(double)rightCoherent / n,12:P1}  {clock.Elapsed.TotalSeconds,7:F1}"));
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mean ratio coherent/classifier: Brier {sumBrierRatio / seeds:F3}, log loss {sumLogRatio / seeds:F3} (target: at most 1.02 each)"));
return 0;

static double Max(ReadOnlySpan<double> values)
{
    var best = double.MinValue;
    foreach (var v in values)
    {
        best = Math.Max(best, v);
    }

    return best;
}

static DatasetRow ToRow(object?[] cells) => new()
{
    StudentId = (string)cells[(int)GradebookColumn.StudentId]!,
    Semester = (int)(double)cells[(int)GradebookColumn.Semester]!,
    Subject = (string)cells[(int)GradebookColumn.Subject]!,
    AssignmentMarks = (double?)cells[(int)GradebookColumn.AssignmentMarks],
    QuizMarks = (double?)cells[(int)GradebookColumn.QuizMarks],
    AttendancePercentage = (double?)cells[(int)GradebookColumn.AttendancePercentage],
    MidtermMarks = (double?)cells[(int)GradebookColumn.MidtermMarks],
    PreviousCgpa = (double?)cells[(int)GradebookColumn.PreviousCgpa],
    FinalMarks = (double?)cells[(int)GradebookColumn.FinalMarks],
    FinalGrade = (string?)cells[(int)GradebookColumn.FinalGrade],
};

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) ? v : fallback;
}
