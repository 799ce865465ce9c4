using Microsoft.ML;
using Microsoft.ML.Data;
using Runstream.Store.Runs;

namespace Runstream.Query.Compare;

/// <param name="Importance">How much of the forest's R² is lost when this key's values are shuffled (permutation importance); null with too few runs.</param>
/// <param name="Correlation">Pearson correlation with the metric, for numeric (and true/false) keys.</param>
public sealed record ParameterScore(string Key, double? Importance, double? Correlation);

/// <param name="ConstantKeys">Keys with a single value among the runs used (left out of <paramref name="Parameters"/>).</param>
public sealed record ImportanceResult(string Metric, int RunsUsed, List<ParameterScore> Parameters, List<string> ConstantKeys);

/// <summary>
/// W&amp;B's parameter importance: a random forest (Microsoft.ML FastForest) predicts the metric from
/// the config, and permutation feature importance scores each key. Correlation alone misses effects
/// that are not monotonic (a learning rate that is best in the middle), so both are given.
/// Categorical keys are one-hot encoded and their slots' importances summed back per key.
/// </summary>
public static class ParameterImportance
{
    public const int MinRunsForForest = 5;
    private const int MaxCategories = 32;
    private const int PermutationRows = 500;

    public static ImportanceResult Compute(IReadOnlyList<RunDetails> runs, string metric, string[]? keys)
    {
        var used = runs.Where(r => RunValues.Of(r, metric) is double v && double.IsFinite(v)).ToList();
        var columns = keys ?? [.. used.SelectMany(r => RunValues.ConfigColumns(r.Config)).Distinct().Order(StringComparer.Ordinal)];
        var labels = used.Select(r => (float)(double)RunValues.Of(r, metric)!).ToArray();
        var encodings = columns.Select(c => Encoding.Of(c, [.. used.Select(r => RunValues.Of(r, c))])).ToList();

        var importance = used.Count >= MinRunsForForest && encodings.Any(e => e.Slots > 0)
            ? ForestImportance(labels, encodings, used.Count)
            : null;
        // A key with one value among the runs used explains nothing: it is named apart, not scored.
        var scores = encodings.Select((e, i) => (e, i)).Where(p => p.e.Slots > 0)
            .Select(p => new ParameterScore(p.e.Column, importance?[p.i], p.e.Correlation(labels))).ToList();
        scores.Sort((a, b) => (b.Importance ?? Math.Abs(b.Correlation ?? 0)).CompareTo(a.Importance ?? Math.Abs(a.Correlation ?? 0)));
        return new ImportanceResult(metric, used.Count, scores, [.. encodings.Where(e => e.Slots == 0).Select(e => e.Column)]);
    }

    private sealed class Row
    {
        public float Label { get; set; }
        public float[] Features { get; set; } = [];
    }

    private static double[] ForestImportance(float[] labels, List<Encoding> encodings, int count)
    {
        var width = encodings.Sum(e => e.Slots);
        var rows = new Row[count];
        for (var r = 0; r < count; r++)
        {
            var features = new float[width];
            var at = 0;
            foreach (var encoding in encodings)
            {
                encoding.Write(r, features.AsSpan(at, encoding.Slots));
                at += encoding.Slots;
            }
            rows[r] = new Row { Label = labels[r], Features = features };
        }

        var ml = new MLContext(seed: 1);
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        var data = ml.Data.LoadFromEnumerable(rows, schema);
        var forest = ml.Regression.Trainers.FastForest(
            labelColumnName: nameof(Row.Label), featureColumnName: nameof(Row.Features),
            numberOfTrees: 100, minimumExampleCountPerLeaf: Math.Clamp(count / 20, 2, 10));
        var model = forest.Fit(data);
        var sample = ml.Data.TakeRows(ml.Data.ShuffleRows(data, seed: 1), PermutationRows);
        var permuted = ml.Regression.PermutationFeatureImportance(model, sample, labelColumnName: nameof(Row.Label), permutationCount: 5);

        var result = new double[encodings.Count];
        var slot = 0;
        for (var i = 0; i < encodings.Count; i++)
            for (var s = 0; s < encodings[i].Slots; s++, slot++)
                // A drop in R² when shuffled; noise can make it slightly negative, which means "none".
                result[i] += Math.Max(0, -permuted[slot].RSquared.Mean);
        return result;
    }

    /// <summary>How one config key becomes features: one numeric slot, or one slot per category.</summary>
    private sealed class Encoding
    {
        public required string Column { get; init; }
        private double[]? _numbers;
        private string?[]? _categories;
        private string[] _levels = [];

        public int Slots => _numbers is not null ? (IsConstant(_numbers) ? 0 : 1) : _levels.Length > 1 ? _levels.Length : 0;

        public static Encoding Of(string column, object?[] values)
        {
            var encoding = new Encoding { Column = column };
            if (values.All(v => v is null or double or bool))
                encoding._numbers = [.. values.Select(v => v switch { double d => d, bool b => b ? 1 : 0, _ => double.NaN })];
            else
            {
                encoding._categories = [.. values.Select(v => v?.ToString())];
                encoding._levels = [.. encoding._categories.Where(c => c is not null).GroupBy(c => c!)
                    .OrderByDescending(g => g.Count()).Take(MaxCategories).Select(g => g.Key)];
            }
            return encoding;
        }

        public void Write(int row, Span<float> slots)
        {
            if (slots.Length == 0)
                return;
            if (_numbers is not null)
                slots[0] = (float)_numbers[row];
            else
                for (var i = 0; i < _levels.Length; i++)
                    slots[i] = _categories![row] == _levels[i] ? 1 : 0;
        }

        public double? Correlation(float[] labels)
        {
            if (_numbers is null)
                return null;
            var pairs = Enumerable.Range(0, labels.Length).Where(i => double.IsFinite(_numbers[i])).ToArray();
            if (pairs.Length < 3)
                return null;
            double mx = pairs.Average(i => _numbers[i]), my = pairs.Average(i => (double)labels[i]);
            double sxy = 0, sxx = 0, syy = 0;
            foreach (var i in pairs)
            {
                var dx = _numbers[i] - mx;
                var dy = labels[i] - my;
                sxy += dx * dy;
                sxx += dx * dx;
                syy += dy * dy;
            }
            return sxx == 0 || syy == 0 ? null : sxy / Math.Sqrt(sxx * syy);
        }

        private static bool IsConstant(double[] values) => values.Where(double.IsFinite).Distinct().Count() <= 1;
    }
}
