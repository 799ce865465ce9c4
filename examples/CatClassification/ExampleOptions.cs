using System.Globalization;

namespace CatClassification;

internal sealed record ExampleOptions(string Project, int Seed, double LearningRate, int Epochs)
{
    public static ExampleOptions Parse(string[] args)
    {
        var options = new ExampleOptions("cat-classification", Seed: 42, LearningRate: 0.1, Epochs: 100);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            options = args[i] switch
            {
                "--project" => options with { Project = value },
                "--seed" => options with { Seed = int.Parse(value, CultureInfo.InvariantCulture) },
                "--learning-rate" => options with { LearningRate = double.Parse(value, CultureInfo.InvariantCulture) },
                "--epochs" => options with { Epochs = int.Parse(value, CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"Unknown option '{args[i]}'. Use --project, --seed, --learning-rate or --epochs."),
            };
        }
        return options;
    }
}
