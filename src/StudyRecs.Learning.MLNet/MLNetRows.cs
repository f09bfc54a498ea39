using Microsoft.ML;
using Microsoft.ML.Data;

namespace StudyRecs.Learning.MLNet;

/// <summary>A row as ML.NET's trainers and prediction engines see it: the imputed features and the label of every task.</summary>
internal sealed class LabelledRow
{
    public const string FeaturesColumn = "Features";
    public const string ValueColumn = "Value";
    public const string FlagColumn = "Flag";
    public const string KeyColumn = "Key";
    public const string GroupColumn = "Group";

    public float[] Features { get; set; } = [];

    /// <summary>Regression label.</summary>
    public float Value { get; set; }

    /// <summary>Binary label.</summary>
    public bool Flag { get; set; }

    /// <summary>Multiclass label as an ML.NET key: the class index (loading a .NET key value adds one, as 0 is ML.NET's missing key).</summary>
    public uint Key { get; set; }

    /// <summary>Ranking: the row's query group as an ML.NET key, numbered like <see cref="Key"/> (0, 1, ... in row order).</summary>
    public uint Group { get; set; }

    /// <summary>The schema with the feature vector's width, the key's class count and the number of query groups fixed.</summary>
    public static SchemaDefinition Schema(int width, int classes, int groups = 1)
    {
        var schema = SchemaDefinition.Create(typeof(LabelledRow));
        schema[nameof(Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        schema[nameof(Key)].ColumnType = new KeyDataViewType(typeof(uint), Math.Max(1, classes));
        schema[nameof(Group)].ColumnType = new KeyDataViewType(typeof(uint), Math.Max(1, groups));
        return schema;
    }
}

/// <summary>The input of a prediction: imputed features only.</summary>
internal sealed class FeatureRow
{
    public float[] Features { get; set; } = [];

    public static SchemaDefinition Schema(int width)
    {
        var schema = SchemaDefinition.Create(typeof(FeatureRow));
        schema[nameof(Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        return schema;
    }

    /// <summary>The input schema saved with the model, so a loaded model knows its vector width.</summary>
    public static DataViewSchema DataSchema(MLContext context, int width) =>
        context.Data.LoadFromEnumerable(Array.Empty<FeatureRow>(), Schema(width)).Schema;
}

/// <summary>Output of a regression model.</summary>
internal sealed class ScoreOutput
{
    public float Score { get; set; }
}

/// <summary>Output of a binary model: raw score and calibrated probability of class 1.</summary>
internal sealed class BinaryOutput
{
    public float Score { get; set; }

    public float Probability { get; set; }
}

/// <summary>Output of a multiclass model: a score per class in key order.</summary>
internal sealed class MulticlassOutput
{
    public float[] Score { get; set; } = [];
}
