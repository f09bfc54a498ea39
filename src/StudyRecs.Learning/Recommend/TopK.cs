namespace StudyRecs.Learning.Recommend;

/// <summary>Partial selection of the largest scores with a bounded min-heap: O(n log k), no allocation.</summary>
public static class TopK
{
    /// <summary>
    /// Writes the indexes of the largest finite-or-positive-infinite scores into <paramref name="destination"/>, best first;
    /// ties go to the lower index. Scores of negative infinity or NaN are never selected.
    /// </summary>
    /// <returns>The number of indexes written.</returns>
    public static int Select(ReadOnlySpan<float> scores, Span<int> destination)
    {
        var k = destination.Length;
        if (k == 0)
        {
            return 0;
        }

        // destination[0..size) is a min-heap under "Worse": its root is the weakest selected item.
        var size = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            var s = scores[i];
            if (float.IsNaN(s) || float.IsNegativeInfinity(s))
            {
                continue;
            }

            if (size < k)
            {
                destination[size] = i;
                SiftUp(scores, destination, size++);
            }
            else if (s > scores[destination[0]])
            {
                // A later index with an equal score loses the tie, so only strictly better scores enter.
                destination[0] = i;
                SiftDown(scores, destination, 0, size);
            }
        }

        // Heap sort in place: repeatedly move the weakest to the end, giving best-first order.
        for (var end = size - 1; end > 0; end--)
        {
            (destination[0], destination[end]) = (destination[end], destination[0]);
            SiftDown(scores, destination, 0, end);
        }

        return size;
    }

    private static bool Worse(ReadOnlySpan<float> scores, int a, int b)
    {
        var sa = scores[a];
        var sb = scores[b];
        return sa < sb || (sa == sb && a > b);
    }

    private static void SiftUp(ReadOnlySpan<float> scores, Span<int> heap, int i)
    {
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (!Worse(scores, heap[i], heap[parent]))
            {
                return;
            }

            (heap[i], heap[parent]) = (heap[parent], heap[i]);
            i = parent;
        }
    }

    private static void SiftDown(ReadOnlySpan<float> scores, Span<int> heap, int i, int size)
    {
        while (true)
        {
            var left = (2 * i) + 1;
            if (left >= size)
            {
                return;
            }

            var worst = left;
            var right = left + 1;
            if (right < size && Worse(scores, heap[right], heap[left]))
            {
                worst = right;
            }

            if (!Worse(scores, heap[worst], heap[i]))
            {
                return;
            }

            (heap[i], heap[worst]) = (heap[worst], heap[i]);
            i = worst;
        }
    }
}
