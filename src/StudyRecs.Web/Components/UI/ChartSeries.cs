namespace StudyRecs.Web.Components.UI;

/// <summary>One line of a <see cref="LineChart"/>.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<ChartPoint> Points, bool Dashed = false);

public readonly record struct ChartPoint(double X, double Y);
