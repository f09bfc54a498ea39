using System.Numerics.Tensors;

namespace StudyRecs.Learning.Recommend;

/// <summary>
/// The layout of one tower in the network's flat parameter array: an embedding table per input field (each field's
/// entries are mean-pooled into one slice of the input), dense scalars after them, then a ReLU hidden layer and a linear
/// output layer whose result is scaled to unit length. Offsets are absolute positions in the parameter array.
/// </summary>
internal sealed class TowerShape
{
    public TowerShape(int start, int[] tableRows, int embedding, int dense, int hidden, int output)
    {
        TableRows = tableRows;
        Embedding = embedding;
        Dense = dense;
        Hidden = hidden;
        Output = output;
        TableOffsets = new int[tableRows.Length];
        var at = start;
        for (var f = 0; f < tableRows.Length; f++)
        {
            TableOffsets[f] = at;
            at += tableRows[f] * embedding;
        }

        TablesEnd = at;
        W1 = at;
        B1 = W1 + (hidden * Input);
        W2 = B1 + hidden;
        B2 = W2 + (output * hidden);
        End = B2 + output;
    }

    public int[] TableRows { get; }

    public int[] TableOffsets { get; }

    public int Embedding { get; }

    public int Dense { get; }

    public int Hidden { get; }

    public int Output { get; }

    public int Fields => TableRows.Length;

    public int Input => (Fields * Embedding) + Dense;

    public int TablesEnd { get; }

    public int W1 { get; }

    public int B1 { get; }

    public int W2 { get; }

    public int B2 { get; }

    public int End { get; }
}

/// <summary>
/// One example's input to a tower: per field a list of (table row, weight) entries, mean-pooled with the weights
/// normalised to sum 1, and the dense scalars. Reused between examples (<see cref="Clear"/>) to avoid allocation.
/// </summary>
internal sealed class TowerInput
{
    private int[] _rows = new int[64];
    private float[] _weights = new float[64];
    private int _count;
    private int _fieldStart;

    public TowerInput(int fields, int dense)
    {
        FieldEnds = new int[fields];
        DenseValues = new float[dense];
    }

    public int[] FieldEnds { get; }

    public float[] DenseValues { get; }

    public int Field { get; private set; }

    public ReadOnlySpan<int> Rows => _rows.AsSpan(0, _count);

    public ReadOnlySpan<float> Weights => _weights.AsSpan(0, _count);

    public void Clear()
    {
        _count = 0;
        _fieldStart = 0;
        Field = 0;
        Array.Clear(DenseValues);
    }

    public void Add(int row, float weight)
    {
        if (_count == _rows.Length)
        {
            Array.Resize(ref _rows, _count * 2);
            Array.Resize(ref _weights, _count * 2);
        }

        _rows[_count] = row;
        _weights[_count++] = weight;
    }

    /// <summary>Closes the current field, normalising its weights to sum 1 (an empty field pools to zeros).</summary>
    public void EndField()
    {
        var weights = _weights.AsSpan(_fieldStart, _count - _fieldStart);
        var sum = TensorPrimitives.Sum(weights);
        if (sum > 0)
        {
            TensorPrimitives.Divide(weights, sum, weights);
        }

        FieldEnds[Field++] = _count;
        _fieldStart = _count;
    }

    public int FieldStart(int field) => field == 0 ? 0 : FieldEnds[field - 1];
}

/// <summary>Per-example activations a tower keeps between its forward and backward pass.</summary>
internal sealed class TowerActivations
{
    public TowerActivations(TowerShape shape)
    {
        Input = new float[shape.Input];
        PreActivation = new float[shape.Hidden];
        Hidden = new float[shape.Hidden];
        Output = new float[shape.Output];
        Norm = 1f;
    }

    public float[] Input { get; }

    public float[] PreActivation { get; }

    public float[] Hidden { get; }

    /// <summary>The unit-length output.</summary>
    public float[] Output { get; }

    public float Norm { get; set; }
}

/// <summary>
/// The two towers' arithmetic on a flat parameter array: forward, backward and the in-batch sampled softmax loss
/// (every other positive of the batch is a negative; a logQ correction subtracts the log of each item's sampling
/// probability so popular items are not pushed down only for appearing often). Pure functions of their arguments, so
/// the gradient check in the tests exercises exactly the code that trains.
/// </summary>
internal static class TwoTowerNetwork
{
    public static void Forward(TowerShape shape, ReadOnlySpan<float> parameters, TowerInput input, TowerActivations a)
    {
        var e = shape.Embedding;
        var x = a.Input.AsSpan();
        x.Clear();
        for (var f = 0; f < shape.Fields; f++)
        {
            var slice = x.Slice(f * e, e);
            for (var p = input.FieldStart(f); p < input.FieldEnds[f]; p++)
            {
                var row = parameters.Slice(shape.TableOffsets[f] + (input.Rows[p] * e), e);
                TensorPrimitives.MultiplyAdd(row, input.Weights[p], slice, slice);
            }
        }

        input.DenseValues.CopyTo(x[(shape.Fields * e)..]);
        var inputs = shape.Input;
        for (var j = 0; j < shape.Hidden; j++)
        {
            var v = TensorPrimitives.Dot(parameters.Slice(shape.W1 + (j * inputs), inputs), x) + parameters[shape.B1 + j];
            a.PreActivation[j] = v;
            a.Hidden[j] = v > 0 ? v : 0f;
        }

        for (var o = 0; o < shape.Output; o++)
        {
            a.Output[o] = TensorPrimitives.Dot(parameters.Slice(shape.W2 + (o * shape.Hidden), shape.Hidden), a.Hidden) + parameters[shape.B2 + o];
        }

        a.Norm = MathF.Max(TensorPrimitives.Norm(a.Output), 1e-6f);
        TensorPrimitives.Divide(a.Output, a.Norm, a.Output);
    }

    /// <summary>
    /// Back-propagates the gradient of the unit-length output: adds the layers' gradients to <paramref name="dense"/>
    /// (indexed from <see cref="TowerShape.W1"/>) and leaves the input's gradient in <paramref name="inputGradient"/>.
    /// </summary>
    public static void Backward(TowerShape shape, ReadOnlySpan<float> parameters, TowerActivations a, ReadOnlySpan<float> outputGradient,
        Span<float> dense, Span<float> inputGradient, Span<float> scratch)
    {
        var output = shape.Output;
        var hidden = shape.Hidden;
        var inputs = shape.Input;
        var dz = scratch[..output];
        var dh = scratch.Slice(output, hidden);

        // Through y = z / |z|: dz = (dy - y (y·dy)) / |z|.
        var projection = TensorPrimitives.Dot(a.Output, outputGradient);
        TensorPrimitives.MultiplyAdd(a.Output, -projection, outputGradient, dz);
        TensorPrimitives.Divide(dz, a.Norm, dz);

        var w2 = shape.W2 - shape.W1;
        var b2 = shape.B2 - shape.W1;
        dh.Clear();
        for (var o = 0; o < output; o++)
        {
            var g = dense.Slice(w2 + (o * hidden), hidden);
            TensorPrimitives.MultiplyAdd(a.Hidden, dz[o], g, g);
            dense[b2 + o] += dz[o];
            TensorPrimitives.MultiplyAdd(parameters.Slice(shape.W2 + (o * hidden), hidden), dz[o], dh, dh);
        }

        var b1 = shape.B1 - shape.W1;
        inputGradient = inputGradient[..inputs];
        inputGradient.Clear();
        for (var j = 0; j < hidden; j++)
        {
            if (a.PreActivation[j] <= 0)
            {
                continue;
            }

            var d = dh[j];
            var g = dense.Slice(j * inputs, inputs);
            TensorPrimitives.MultiplyAdd(a.Input, d, g, g);
            dense[b1 + j] += d;
            TensorPrimitives.MultiplyAdd(parameters.Slice(shape.W1 + (j * inputs), inputs), d, inputGradient, inputGradient);
        }
    }

    /// <summary>
    /// Adds an input gradient's field slices to the embedding rows each field pooled (weights as in the forward pass).
    /// Each row's first touch is recorded in <paramref name="touched"/> (flags indexed by parameter offset), so the
    /// optimizer updates and clears only those rows.
    /// </summary>
    public static void ScatterToTables(TowerShape shape, TowerInput input, ReadOnlySpan<float> inputGradient, Span<float> gradient, List<int> touched, bool[] flags)
    {
        var e = shape.Embedding;
        for (var f = 0; f < shape.Fields; f++)
        {
            var g = inputGradient.Slice(f * e, e);
            for (var p = input.FieldStart(f); p < input.FieldEnds[f]; p++)
            {
                var offset = shape.TableOffsets[f] + (input.Rows[p] * e);
                var target = gradient.Slice(offset, e);
                TensorPrimitives.MultiplyAdd(g, input.Weights[p], target, target);
                if (!flags[offset])
                {
                    flags[offset] = true;
                    touched.Add(offset);
                }
            }
        }
    }

    /// <summary>
    /// In-batch softmax over the first <paramref name="b"/> unit-length user outputs <paramref name="users"/> and item outputs
    /// <paramref name="items"/> (row i of each is one positive pair): returns the mean cross-entropy and writes dLoss/dUser and dLoss/dItem.
    /// Columns holding the same item as the row's positive are masked (they are not negatives).
    /// </summary>
    public static double InBatchSoftmax(float[][] users, float[][] items, int b, ReadOnlySpan<int> itemIds, ReadOnlySpan<float> logQ, float temperature,
        float[][] userGradients, float[][] itemGradients, int maxDegreeOfParallelism)
    {
        var coefficients = new float[b * b];
        var losses = new double[b];
        var ids = itemIds[..b].ToArray();
        var correction = logQ[..b].ToArray();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : -1 };
        Parallel.For(0, b, parallel, i =>
        {
            var row = coefficients.AsSpan(i * b, b);
            var max = float.NegativeInfinity;
            for (var j = 0; j < b; j++)
            {
                var masked = j != i && ids[j] == ids[i];
                row[j] = masked ? float.NegativeInfinity : (TensorPrimitives.Dot(users[i], items[j]) / temperature) - correction[j];
                max = MathF.Max(max, row[j]);
            }

            double sum = 0;
            for (var j = 0; j < b; j++)
            {
                sum += Math.Exp(row[j] - max);
            }

            var logSum = max + Math.Log(sum);
            losses[i] = logSum - row[i];

            // Softmax minus the one-hot target, over the batch mean and through the temperature.
            for (var j = 0; j < b; j++)
            {
                var p = Math.Exp(row[j] - logSum);
                row[j] = (float)((p - (j == i ? 1 : 0)) / b / temperature);
            }
        });

        Parallel.For(0, b, parallel, i =>
        {
            var du = userGradients[i].AsSpan();
            du.Clear();
            var dv = itemGradients[i].AsSpan();
            dv.Clear();
            for (var j = 0; j < b; j++)
            {
                TensorPrimitives.MultiplyAdd(items[j], coefficients[(i * b) + j], du, du);
                TensorPrimitives.MultiplyAdd(users[j], coefficients[(j * b) + i], dv, dv);
            }
        });

        return losses.Sum() / b;
    }
}
