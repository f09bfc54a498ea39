using System.Globalization;
using StudyRecs.Learning.Recommend;

namespace StudyRecs.Cli.Engagement;

/// <summary>Size and seed of a synthetic engagement data set.</summary>
internal sealed record EngagementSpec(int Students, int Resources, long Events, int Seed);

/// <summary>
/// Synthetic student engagement with learnable structure: students have weak subjects (where most of their activity
/// goes), one extra interest, two favourite topics per subject and a learning style that favours some resource types;
/// resources have a latent quality that skews their popularity; difficulty drifts upward as a student progresses. 15% of events are noise (popular resources
/// anywhere), 10% revisit a resource already seen. Casual students (90%) have a few events, power users many.
/// Everything is drawn from one seeded generator and streamed to the writers.
/// </summary>
internal static class EngagementGenerator
{
    private static readonly DateTimeOffset Start = new(2025, 9, 1, 0, 0, 0, TimeSpan.Zero);
    private const long SpanSeconds = 365L * 86_400;

    public static void Write(EngagementSpec spec, TextWriter students, TextWriter resources, TextWriter interactions)
    {
        var random = new Random(spec.Seed);
        var subjects = EngagementCatalog.Subjects;
        var topics = subjects[0].Topics.Length;
        var difficulties = EngagementCatalog.Difficulties.Length;

        // Resources: subject by weight, topic uniform, beginner-heavy difficulty, log-normal quality.
        var resourceSubject = new int[spec.Resources];
        var resourceTopic = new int[spec.Resources];
        var resourceDifficulty = new int[spec.Resources];
        var resourceType = new int[spec.Resources];
        var quality = new double[spec.Resources];
        var subjectWeights = subjects.Select(s => s.Weight).ToArray();
        resources.WriteLine("item_id,title,description,subject,topic,difficulty,type,minutes,tags");
        for (var r = 0; r < spec.Resources; r++)
        {
            var s = Pick(random, subjectWeights);
            var t = random.Next(topics);
            var d = Pick(random, EngagementCatalog.DifficultyWeights);
            var type = Pick(random, EngagementCatalog.TypeWeights);
            resourceSubject[r] = s;
            resourceTopic[r] = t;
            resourceDifficulty[r] = d;
            resourceType[r] = type;
            quality[r] = Math.Exp(Normal(random) * 0.9);
            var subject = subjects[s];
            var topic = subject.Topics[t];
            var title = string.Format(CultureInfo.InvariantCulture, EngagementCatalog.TitleTemplates[random.Next(EngagementCatalog.TitleTemplates.Length)], topic);
            var k1 = subject.Keywords[random.Next(subject.Keywords.Length)];
            var k2 = subject.Keywords[random.Next(subject.Keywords.Length)];
            var description = $"A {EngagementCatalog.Difficulties[d]} {EngagementCatalog.Types[type]} on {topic.ToLowerInvariant()} in {subject.Name.ToLowerInvariant()}, covering {k1} and {k2}.";
            var minutes = Math.Max(3, (int)(EngagementCatalog.TypeMinutes[type] * Math.Exp(Normal(random) * 0.4)));
            var tags = $"{subject.Name.ToLowerInvariant()};{topic.ToLowerInvariant()};{k1};{EngagementCatalog.Difficulties[d]}";
            resources.Write(ResourceId(r));
            resources.Write(',');
            resources.Write(Quote(title));
            resources.Write(',');
            resources.Write(Quote(description));
            resources.Write(',');
            resources.Write(subject.Name);
            resources.Write(',');
            resources.Write(Quote(topic));
            resources.Write(',');
            resources.Write(EngagementCatalog.Difficulties[d]);
            resources.Write(',');
            resources.Write(EngagementCatalog.Types[type]);
            resources.Write(',');
            resources.Write(minutes.ToString(CultureInfo.InvariantCulture));
            resources.Write(',');
            resources.WriteLine(Quote(tags));
        }

        // Per (subject, topic, difficulty) bucket: resources and, per learning style, cumulative quality × type affinity.
        var buckets = new List<int>[subjects.Length * topics * difficulties];
        for (var b = 0; b < buckets.Length; b++)
        {
            buckets[b] = [];
        }

        for (var r = 0; r < spec.Resources; r++)
        {
            buckets[(((resourceSubject[r] * topics) + resourceTopic[r]) * difficulties) + resourceDifficulty[r]].Add(r);
        }

        var bucketItems = buckets.Select(b => b.ToArray()).ToArray();
        var styles = EngagementCatalog.StyleTypeAffinity;
        var bucketCumulative = styles.Select(affinityOfType =>
            bucketItems.Select(items => Cumulative(items.Select(r => quality[r] * affinityOfType[resourceType[r]]).ToArray())).ToArray()).ToArray();
        var globalCumulative = Cumulative(quality.Select(q => q * q).ToArray());

        // Students and their event budgets: everyone gets one, the rest is shared by activity (power users ≈ 10%).
        var activity = new double[spec.Students];
        var power = new bool[spec.Students];
        for (var s = 0; s < spec.Students; s++)
        {
            power[s] = random.NextDouble() < 0.1;
            activity[s] = power[s] ? Math.Exp(2.6 + (0.5 * Normal(random))) : Math.Exp(0.3 + (0.8 * Normal(random)));
        }

        var budgets = Allocate(activity, spec.Events);
        students.WriteLine("user_id,program,year,weak_subjects,learning_style,activity");
        interactions.WriteLine("user_id,item_id,timestamp,weight,event");
        var affinity = new double[subjects.Length];
        var favourite = new int[subjects.Length * 2];
        var history = new List<int>();
        for (var s = 0; s < spec.Students; s++)
        {
            var id = StudentId(s);
            var year = 1 + random.Next(4);
            var style = random.Next(styles.Length);
            var weakCount = 1 + Pick(random, [0.45, 0.4, 0.15]);
            Array.Fill(affinity, 0.08);
            var weak = new List<string>(weakCount);
            while (weak.Count < weakCount)
            {
                var w = Pick(random, subjectWeights);
                if (affinity[w] < 1)
                {
                    affinity[w] = 3.0;
                    weak.Add(subjects[w].Name);
                }
            }

            var interest = random.Next(subjects.Length);
            affinity[interest] = Math.Max(affinity[interest], 1.5);
            for (var f = 0; f < subjects.Length; f++)
            {
                favourite[2 * f] = random.Next(topics);
                favourite[(2 * f) + 1] = random.Next(topics);
            }

            students.Write(id);
            students.Write(',');
            students.Write(Quote(EngagementCatalog.Programs[random.Next(EngagementCatalog.Programs.Length)]));
            students.Write(',');
            students.Write(year.ToString(CultureInfo.InvariantCulture));
            students.Write(',');
            students.Write(Quote(string.Join(';', weak)));
            students.Write(',');
            students.Write(EngagementCatalog.LearningStyles[style]);
            students.Write(',');
            students.WriteLine(power[s] ? "power" : "casual");

            var count = budgets[s];
            var time = Start.ToUnixTimeSeconds() + (long)(random.NextDouble() * SpanSeconds * 0.5);
            var meanGap = Math.Max(60.0, (Start.ToUnixTimeSeconds() + SpanSeconds - time) / Math.Max(1.0, count));
            history.Clear();
            for (var e = 0; e < count; e++)
            {
                time += 30 + (long)(-Math.Log(1 - random.NextDouble()) * meanGap);
                int resource;
                var roll = random.NextDouble();
                if (history.Count > 0 && roll < 0.10)
                {
                    resource = history[random.Next(history.Count)];
                }
                else if (roll < 0.25 || spec.Resources == 0)
                {
                    resource = Draw(random, globalCumulative);
                }
                else
                {
                    var subject = Pick(random, affinity);
                    var topic = random.NextDouble() < 0.75 ? favourite[(2 * subject) + random.Next(2)] : random.Next(topics);
                    // Difficulty drifts from beginner towards advanced over the student's sequence, faster in later years.
                    var progress = (e / (double)Math.Max(1, count)) + (0.1 * (year - 1));
                    var difficulty = Pick(random, [Math.Max(0.1, 0.8 - progress), 0.35, Math.Max(0.05, progress - 0.3)]);
                    var bucket = (((subject * topics) + topic) * difficulties) + difficulty;
                    if (bucketItems[bucket].Length == 0)
                    {
                        bucket = (((subject * topics) + topic) * difficulties) + 0;
                    }

                    resource = bucketItems[bucket].Length > 0
                        ? bucketItems[bucket][Draw(random, bucketCumulative[style][bucket])]
                        : Draw(random, globalCumulative);
                }

                var kind = (InteractionKind)Pick(random, [0.45, 0.25, 0.08, 0.18, 0.04]);
                history.Add(resource);
                interactions.Write(id);
                interactions.Write(',');
                interactions.Write(ResourceId(resource));
                interactions.Write(',');
                interactions.Write(time.ToString(CultureInfo.InvariantCulture));
                interactions.Write(',');
                interactions.Write(InteractionKinds.DefaultWeight(kind).ToString(CultureInfo.InvariantCulture));
                interactions.Write(',');
                interactions.WriteLine(InteractionKinds.Name(kind));
            }
        }
    }

    public static string StudentId(int index) => "S" + index.ToString("D7", CultureInfo.InvariantCulture);

    public static string ResourceId(int index) => "R" + index.ToString("D6", CultureInfo.InvariantCulture);

    // One event each, the rest in proportion to activity with cumulative rounding so the total is exact.
    private static int[] Allocate(double[] activity, long events)
    {
        var budgets = new int[activity.Length];
        if (activity.Length == 0)
        {
            return budgets;
        }

        var baseline = events >= activity.Length ? 1 : 0;
        var rest = events - (baseline * (long)activity.Length);
        var total = activity.Sum();
        double cumulative = 0;
        long assigned = 0;
        for (var s = 0; s < activity.Length; s++)
        {
            cumulative += activity[s];
            var upTo = s == activity.Length - 1 ? rest : (long)Math.Round(rest * (cumulative / total));
            budgets[s] = baseline + (int)(upTo - assigned);
            assigned = upTo;
        }

        return budgets;
    }

    private static double[] Cumulative(double[] weights)
    {
        var cumulative = new double[weights.Length];
        double sum = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            sum += weights[i];
            cumulative[i] = sum;
        }

        return cumulative;
    }

    private static int Draw(Random random, double[] cumulative)
    {
        var target = random.NextDouble() * cumulative[^1];
        var index = Array.BinarySearch(cumulative, target);
        return Math.Min(index < 0 ? ~index : index, cumulative.Length - 1);
    }

    private static int Pick(Random random, ReadOnlySpan<double> weights)
    {
        double total = 0;
        foreach (var w in weights)
        {
            total += w;
        }

        var target = random.NextDouble() * total;
        for (var i = 0; i < weights.Length - 1; i++)
        {
            target -= weights[i];
            if (target < 0)
            {
                return i;
            }
        }

        return weights.Length - 1;
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static string Quote(string text) =>
        text.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
}
