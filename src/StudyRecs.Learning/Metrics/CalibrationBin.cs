namespace StudyRecs.Learning.Metrics;

/// <summary>One point of a calibration (reliability) curve.</summary>
/// <param name="Lower">Lower edge of the probability bin.</param>
/// <param name="Upper">Upper edge of the probability bin.</param>
/// <param name="MeanPredicted">Mean predicted probability of the rows in the bin.</param>
/// <param name="ObservedFrequency">Fraction of those rows that are positive.</param>
/// <param name="Count">Rows in the bin.</param>
public sealed record CalibrationBin(double Lower, double Upper, double MeanPredicted, double ObservedFrequency, int Count);
