namespace StudyRecs.Learning.Recommend;

/// <summary>
/// The buffers of one mini-batch: each example's tower inputs, activations, output gradients and input gradients, and
/// per chunk the layers' gradient sums. A batch is cut into a fixed number of chunks whatever the thread count, and
/// chunk sums are added in chunk order, so training gives the same numbers on one core or two.
/// </summary>
internal sealed class TwoTowerBatch
{
    public const int Chunks = 4;

    public TwoTowerBatch(TowerShape user, TowerShape item, int size)
    {
        User = user;
        Item = item;
        UserInputs = [.. Enumerable.Range(0, size).Select(_ => new TowerInput(user.Fields, user.Dense))];
        ItemInputs = [.. Enumerable.Range(0, size).Select(_ => new TowerInput(item.Fields, item.Dense))];
        UserActivations = [.. Enumerable.Range(0, size).Select(_ => new TowerActivations(user))];
        ItemActivations = [.. Enumerable.Range(0, size).Select(_ => new TowerActivations(item))];
        UserOutputs = [.. UserActivations.Select(a => a.Output)];
        ItemOutputs = [.. ItemActivations.Select(a => a.Output)];
        UserOutputGradients = [.. Enumerable.Range(0, size).Select(_ => new float[user.Output])];
        ItemOutputGradients = [.. Enumerable.Range(0, size).Select(_ => new float[item.Output])];
        UserInputGradients = [.. Enumerable.Range(0, size).Select(_ => new float[user.Input])];
        ItemInputGradients = [.. Enumerable.Range(0, size).Select(_ => new float[item.Input])];
        UserLayerGradients = [.. Enumerable.Range(0, Chunks).Select(_ => new float[user.End - user.W1])];
        ItemLayerGradients = [.. Enumerable.Range(0, Chunks).Select(_ => new float[item.End - item.W1])];
        ItemIds = new int[size];
        LogQ = new float[size];
    }

    public TowerShape User { get; }

    public TowerShape Item { get; }

    public int Size => ItemIds.Length;

    public TowerInput[] UserInputs { get; }

    public TowerInput[] ItemInputs { get; }

    public TowerActivations[] UserActivations { get; }

    public TowerActivations[] ItemActivations { get; }

    public float[][] UserOutputs { get; }

    public float[][] ItemOutputs { get; }

    public float[][] UserOutputGradients { get; }

    public float[][] ItemOutputGradients { get; }

    public float[][] UserInputGradients { get; }

    public float[][] ItemInputGradients { get; }

    public float[][] UserLayerGradients { get; }

    public float[][] ItemLayerGradients { get; }

    public int[] ItemIds { get; }

    public float[] LogQ { get; }

    /// <summary>
    /// Forward and backward over the first <paramref name="count"/> examples (inputs, item ids and logQ filled): returns the
    /// mean in-batch softmax loss and adds its gradient to <paramref name="gradient"/> (the full parameter layout); table
    /// rows touched are listed in <paramref name="touched"/>.
    /// </summary>
    public double LossAndGradient(float[] parameters, int count, float temperature, float[] gradient, List<int> touched, bool[] flags, ParallelOptions parallel)
    {
        Parallel.For(0, Chunks, parallel, c =>
        {
            for (var i = c * count / Chunks; i < (c + 1) * count / Chunks; i++)
            {
                TwoTowerNetwork.Forward(User, parameters, UserInputs[i], UserActivations[i]);
                TwoTowerNetwork.Forward(Item, parameters, ItemInputs[i], ItemActivations[i]);
            }
        });

        var loss = TwoTowerNetwork.InBatchSoftmax(UserOutputs, ItemOutputs, count, ItemIds, LogQ, temperature, UserOutputGradients, ItemOutputGradients,
            parallel.MaxDegreeOfParallelism);

        Parallel.For(0, Chunks, parallel, c =>
        {
            var userLayers = UserLayerGradients[c];
            var itemLayers = ItemLayerGradients[c];
            Array.Clear(userLayers);
            Array.Clear(itemLayers);
            Span<float> scratch = stackalloc float[Math.Max(User.Output + User.Hidden, Item.Output + Item.Hidden)];
            for (var i = c * count / Chunks; i < (c + 1) * count / Chunks; i++)
            {
                TwoTowerNetwork.Backward(User, parameters, UserActivations[i], UserOutputGradients[i], userLayers, UserInputGradients[i], scratch);
                TwoTowerNetwork.Backward(Item, parameters, ItemActivations[i], ItemOutputGradients[i], itemLayers, ItemInputGradients[i], scratch);
            }
        });

        for (var c = 0; c < Chunks; c++)
        {
            var user = gradient.AsSpan(User.W1, User.End - User.W1);
            System.Numerics.Tensors.TensorPrimitives.Add(user, UserLayerGradients[c], user);
            var item = gradient.AsSpan(Item.W1, Item.End - Item.W1);
            System.Numerics.Tensors.TensorPrimitives.Add(item, ItemLayerGradients[c], item);
        }

        for (var i = 0; i < count; i++)
        {
            TwoTowerNetwork.ScatterToTables(User, UserInputs[i], UserInputGradients[i], gradient, touched, flags);
            TwoTowerNetwork.ScatterToTables(Item, ItemInputs[i], ItemInputGradients[i], gradient, touched, flags);
        }

        return loss;
    }
}

/// <summary>
/// Trains a <see cref="TwoTowerRecommender"/>: every (student, item) positive of the matrix is one example whose user
/// side is the student's other items (leave-one-out); Adam updates the layers every step and only the embedding rows a
/// batch touched (lazy Adam); after each epoch, recall@K of each validation student's held-out latest item picks the
/// best parameters and stops training when it no longer improves.
/// </summary>
internal sealed class TwoTowerTrainer
{
    private const float Beta1 = 0.9f;
    private const float Beta2 = 0.999f;
    private const float Epsilon = 1e-8f;

    private readonly InteractionMatrix _data;
    private readonly TwoTowerFeatures _features;
    private readonly TwoTowerOptions _options;
    private readonly StudentContext[] _contexts;
    private readonly TowerShape _user;
    private readonly TowerShape _item;
    private readonly int[] _userStarts;
    private readonly int[] _newestFirst;
    private readonly int[] _heldOut;
    private readonly int[] _validationUsers;
    private readonly long[] _pairs;
    private readonly int[] _itemPositives;
    private readonly float[] _itemLogQ;
    private readonly ParallelOptions _parallel;

    public TwoTowerTrainer(InteractionMatrix data, TwoTowerFeatures features, TwoTowerOptions options, Func<int, StudentContext?>? contexts)
    {
        _data = data;
        _features = features;
        _options = options;
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism > 0 ? options.MaxDegreeOfParallelism : -1 };
        _contexts = new StudentContext[data.UserCount];
        for (var u = 0; u < data.UserCount; u++)
        {
            _contexts[u] = contexts?.Invoke(u) ?? StudentContext.None;
        }

        _user = new TowerShape(0, features.UserTables, options.EmbeddingSize, TwoTowerFeatures.UserDense, options.HiddenSize, options.OutputSize);
        _item = new TowerShape(_user.End, features.ItemTables, options.EmbeddingSize, TwoTowerFeatures.ItemDense, options.HiddenSize, options.OutputSize);

        // Each student's history positions, newest first.
        _userStarts = new int[data.UserCount + 1];
        for (var u = 0; u < data.UserCount; u++)
        {
            _userStarts[u + 1] = _userStarts[u] + data.UserItems(u).Length;
        }

        _newestFirst = new int[_userStarts[^1]];
        for (var u = 0; u < data.UserCount; u++)
        {
            var order = _newestFirst.AsSpan(_userStarts[u], _userStarts[u + 1] - _userStarts[u]);
            var keys = new long[order.Length];
            var times = data.UserTimestamps(u);
            for (var p = 0; p < order.Length; p++)
            {
                order[p] = p;
                keys[p] = -times[p];
            }

            keys.AsSpan().Sort(order);
        }

        // Validation: a seeded sample of students with two or more items gives up its latest item.
        var random = new Random(options.Seed);
        _heldOut = new int[data.UserCount];
        Array.Fill(_heldOut, -1);
        _validationUsers = [.. Enumerable.Range(0, data.UserCount).Where(u => data.UserItems(u).Length >= 2)
            .OrderBy(_ => random.Next()).Take(options.ValidationStudents).Order()];
        foreach (var u in _validationUsers)
        {
            _heldOut[u] = data.UserItems(u)[_newestFirst[_userStarts[u]]];
        }

        var pairs = new List<long>(data.NonZeroCount);
        _itemPositives = new int[data.ItemCount];
        for (var u = 0; u < data.UserCount; u++)
        {
            var items = data.UserItems(u);
            for (var p = 0; p < items.Length; p++)
            {
                if (items[p] != _heldOut[u])
                {
                    pairs.Add(((long)u << 32) | (uint)p);
                    _itemPositives[items[p]]++;
                }
            }
        }

        _pairs = [.. pairs];
        _itemLogQ = new float[data.ItemCount];
        for (var i = 0; i < data.ItemCount; i++)
        {
            _itemLogQ[i] = options.LogQCorrection && _itemPositives[i] > 0 ? MathF.Log(_itemPositives[i] / (float)_pairs.Length) : 0f;
        }
    }

    public TwoTowerRecommender Train(Action<int, double, double>? epochCompleted)
    {
        var random = new Random(_options.Seed);
        var parameters = Initial(random);
        var best = (float[])parameters.Clone();
        var gradient = new float[parameters.Length];
        var firstMoment = new float[parameters.Length];
        var secondMoment = new float[parameters.Length];
        var flags = new bool[parameters.Length];
        var touched = new List<int>();
        var batch = new TwoTowerBatch(_user, _item, _options.BatchSize);
        var dropIdentity = new bool[_options.BatchSize];
        var bestRecall = double.NegativeInfinity;
        var recalls = new List<double>();
        var step = 0;
        var epochsWithoutGain = 0;
        var validate = _validationUsers.Length > 0;
        for (var epoch = 1; epoch <= _options.MaxEpochs && _pairs.Length > 0; epoch++)
        {
            random.Shuffle(_pairs);
            double lossSum = 0;
            var batches = 0;
            for (var start = 0; start < _pairs.Length; start += _options.BatchSize)
            {
                var count = Math.Min(_options.BatchSize, _pairs.Length - start);
                if (count < 2)
                {
                    continue;
                }

                for (var i = 0; i < count; i++)
                {
                    dropIdentity[i] = random.NextSingle() < _options.IdentityDropout;
                }

                Fill(batch, _pairs.AsSpan(start, count), dropIdentity);
                lossSum += batch.LossAndGradient(parameters, count, _options.Temperature, gradient, touched, flags, _parallel);
                batches++;
                AdamStep(parameters, gradient, firstMoment, secondMoment, touched, flags, ++step);
            }

            var recall = validate ? ValidationRecall(parameters) : double.NaN;
            recalls.Add(recall);
            epochCompleted?.Invoke(epoch, batches == 0 ? 0 : lossSum / batches, recall);
            if (!validate || recall > bestRecall)
            {
                bestRecall = recall;
                Array.Copy(parameters, best, parameters.Length);
                epochsWithoutGain = 0;
            }
            else if (++epochsWithoutGain >= _options.Patience)
            {
                break;
            }
        }

        var items = ItemEmbeddings(best);
        return new TwoTowerRecommender(_user, best[.._user.End], items, _features.Facets, _options.MaxHistory, _options.RecentEvents)
        {
            ValidationRecall = recalls,
        };
    }

    private void Fill(TwoTowerBatch batch, ReadOnlySpan<long> pairs, bool[] dropIdentity)
    {
        var examples = pairs.ToArray();
        Parallel.For(0, TwoTowerBatch.Chunks, _parallel, c =>
        {
            for (var i = c * examples.Length / TwoTowerBatch.Chunks; i < (c + 1) * examples.Length / TwoTowerBatch.Chunks; i++)
            {
                var u = (int)(examples[i] >> 32);
                var item = _data.UserItems(u)[(int)(examples[i] & 0xFFFFFFFF)];
                FillUser(batch.UserInputs[i], u, item);
                _features.FillItem(batch.ItemInputs[i], item, !dropIdentity[i]);
                batch.ItemIds[i] = item;
                batch.LogQ[i] = _itemLogQ[item];
            }
        });
    }

    private void FillUser(TowerInput input, int user, int leftOut) =>
        TwoTowerFeatures.FillUser(_features.Facets, input, _data.UserItems(user), _data.UserWeights(user),
            _newestFirst.AsSpan(_userStarts[user], _userStarts[user + 1] - _userStarts[user]), true, _contexts[user], leftOut, _heldOut[user],
            _options.MaxHistory, _options.RecentEvents);

    private void AdamStep(float[] parameters, float[] gradient, float[] m, float[] v, List<int> touched, bool[] flags, int step)
    {
        var rate = _options.LearningRate * MathF.Sqrt(1 - MathF.Pow(Beta2, step)) / (1 - MathF.Pow(Beta1, step));
        Update(_user.W1, _user.End - _user.W1);
        Update(_item.W1, _item.End - _item.W1);
        foreach (var offset in touched)
        {
            Update(offset, _options.EmbeddingSize);
            flags[offset] = false;
        }

        touched.Clear();

        void Update(int offset, int length)
        {
            for (var p = offset; p < offset + length; p++)
            {
                var g = gradient[p];
                m[p] = (Beta1 * m[p]) + ((1 - Beta1) * g);
                v[p] = (Beta2 * v[p]) + ((1 - Beta2) * g * g);
                parameters[p] -= rate * m[p] / (MathF.Sqrt(v[p]) + Epsilon);
                gradient[p] = 0f;
            }
        }
    }

    // Items with a training positive keep their own embedding; the others are served from their features, as in training's dropout.
    private float[] ItemEmbeddings(float[] parameters)
    {
        var d = _item.Output;
        var embeddings = new float[_data.ItemCount * d];
        Parallel.For(0, _data.ItemCount, _parallel, () => (new TowerInput(_item.Fields, _item.Dense), new TowerActivations(_item)), (j, _, local) =>
        {
            _features.FillItem(local.Item1, j, _itemPositives[j] > 0);
            TwoTowerNetwork.Forward(_item, parameters, local.Item1, local.Item2);
            local.Item2.Output.CopyTo(embeddings, j * d);
            return local;
        }, _ => { });
        return embeddings;
    }

    private double ValidationRecall(float[] parameters)
    {
        var items = ItemEmbeddings(parameters);
        var d = _item.Output;
        var hits = new bool[_validationUsers.Length];
        Parallel.For(0, _validationUsers.Length, _parallel,
            () => (new TowerInput(_user.Fields, _user.Dense), new TowerActivations(_user), new float[_data.ItemCount]),
            (v, _, local) =>
            {
                var (input, activations, scores) = local;
                var u = _validationUsers[v];
                FillUser(input, u, -1);
                TwoTowerNetwork.Forward(_user, parameters, input, activations);
                for (var j = 0; j < scores.Length; j++)
                {
                    scores[j] = System.Numerics.Tensors.TensorPrimitives.Dot(items.AsSpan(j * d, d), activations.Output);
                }

                var target = scores[_heldOut[u]];
                var better = 0;
                var history = _data.UserItems(u);
                for (var j = 0; j < scores.Length && better < _options.ValidationCutoff; j++)
                {
                    if (scores[j] > target && history.BinarySearch(j) < 0)
                    {
                        better++;
                    }
                }

                hits[v] = better < _options.ValidationCutoff;
                return local;
            }, _ => { });
        return hits.Count(h => h) / (double)hits.Length;
    }

    private float[] Initial(Random random)
    {
        var parameters = new float[_item.End];
        foreach (var shape in new[] { _user, _item })
        {
            Gaussian(random, parameters.AsSpan(shape.TableOffsets[0], shape.TablesEnd - shape.TableOffsets[0]), 0.1);
            Gaussian(random, parameters.AsSpan(shape.W1, shape.B1 - shape.W1), Math.Sqrt(2.0 / shape.Input));
            Gaussian(random, parameters.AsSpan(shape.W2, shape.B2 - shape.W2), Math.Sqrt(1.0 / shape.Hidden));
        }

        return parameters;
    }

    private static void Gaussian(Random random, Span<float> values, double deviation)
    {
        for (var i = 0; i < values.Length; i++)
        {
            // Box-Muller from the seeded generator.
            var u1 = 1.0 - random.NextDouble();
            values[i] = (float)(deviation * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * random.NextDouble()));
        }
    }
}
