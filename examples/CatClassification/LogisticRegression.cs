using System.Text.Json;

namespace CatClassification;

/// <summary>A tiny real model: logistic regression trained by mini-batch gradient descent.</summary>
internal sealed class LogisticRegression(int features)
{
    private readonly double[] _weights = new double[features];
    private double _bias;

    public (double Loss, double Accuracy) TrainingStep(IReadOnlyList<Sample> batch, double learningRate)
    {
        var gradient = new double[_weights.Length];
        double biasGradient = 0, loss = 0;
        var correct = 0;
        foreach (var sample in batch)
        {
            var p = Predict(sample.Features);
            var error = p - sample.Label;
            for (var j = 0; j < _weights.Length; j++)
                gradient[j] += error * sample.Features[j];
            biasGradient += error;
            loss -= sample.Label * Math.Log(Math.Max(p, 1e-12)) + (1 - sample.Label) * Math.Log(Math.Max(1 - p, 1e-12));
            if (p >= 0.5 == sample.Label >= 0.5)
                correct++;
        }
        for (var j = 0; j < _weights.Length; j++)
            _weights[j] -= learningRate * gradient[j] / batch.Count;
        _bias -= learningRate * biasGradient / batch.Count;
        return (loss / batch.Count, (double)correct / batch.Count);
    }

    public Task SaveAsync(string path) =>
        File.WriteAllTextAsync(path, JsonSerializer.Serialize(new { kind = "logistic-regression", weights = _weights, bias = _bias }));

    private double Predict(double[] x)
    {
        var z = _bias;
        for (var j = 0; j < _weights.Length; j++)
            z += _weights[j] * x[j];
        return 1 / (1 + Math.Exp(-z));
    }
}

internal sealed record Sample(double[] Features, double Label);

/// <summary>Generated "cat or not" data: two overlapping clouds of 2-feature points.</summary>
internal sealed class CatData(IReadOnlyList<Sample> samples)
{
    public static CatData Generate(int samples, int seed)
    {
        var random = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var data = new List<Sample>(samples);
        for (var i = 0; i < samples; i++)
        {
            var isCat = i % 2;
            data.Add(new Sample([Normal() + (isCat == 1 ? 1.2 : -1.2), Normal() + (isCat == 1 ? 0.8 : -0.8)], isCat));
        }
        return new CatData(data);
    }

    public IEnumerable<IReadOnlyList<Sample>> Batches(int size) => samples.Chunk(size);
}
