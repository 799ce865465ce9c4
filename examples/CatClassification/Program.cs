// The "putting it all together" script of W&B's "create an experiment" guide, in C#:
// a run in the "cat-classification" project with notes, tags and a config, a training loop
// that logs accuracy and loss, and the trained model logged as an artifact.
//
//   dotnet run --project examples/CatClassification -- [--project NAME] [--seed N] [--learning-rate X] [--epochs N]
using CatClassification;
using Runstream.Client;

var options = ExampleOptions.Parse(args);

await Experiment.RunAsync(new RunSettings
{
    Project = options.Project,
    Notes = "My first experiment",
    Tags = ["baseline", "paper1"],
    // Record the run's hyperparameters.
    Config = new { epochs = options.Epochs, learning_rate = options.LearningRate, batch_size = 128, seed = options.Seed },
}, async run =>
{
    // Set up the model and the data.
    var (model, dataloader) = (new LogisticRegression(features: 2), CatData.Generate(samples: 1024, seed: options.Seed));
    var learningRate = run.Config.Get<double>("learning_rate");
    var batchSize = run.Config.Get<int>("batch_size");

    // Train, logging metrics to visualise the model's performance.
    for (var epoch = 0; epoch < run.Config.Get<int>("epochs"); epoch++)
    {
        foreach (var batch in dataloader.Batches(batchSize))
        {
            var (loss, accuracy) = model.TrainingStep(batch, learningRate);
            run.Log(new Dictionary<string, double> { ["accuracy"] = accuracy, ["loss"] = loss });
        }
    }

    // Upload the trained model as an artifact.
    var folder = Directory.CreateTempSubdirectory("cat-classifier-");
    var path = Path.Combine(folder.FullName, "cat-classifier.model.json");
    await model.SaveAsync(path);
    await run.LogArtifactAsync(path, name: "trained-model", type: "model");
    folder.Delete(recursive: true);

    Console.WriteLine($"run {run.Id} in project {run.Project}: accuracy {run.Summary["accuracy"]:0.000}, loss {run.Summary["loss"]:0.000}");
});
