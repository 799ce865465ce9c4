using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Runstream.Client;

namespace Runstream.IntegrationTests;

/// <summary>The seed guide's workflow: init with notes, tags and config; log in a loop; log the model; finish.</summary>
[Collection(StackCollection.Name)]
public sealed class SeedWorkflowTests(StackFixture stack)
{
    [Fact]
    public async Task A_run_travels_from_the_sdk_to_the_query_api()
    {
        var project = StackFixture.NewProject("cat-classification");
        var model = await WriteTempFileAsync("weights v1");
        string runId;

        await using (var run = await Experiment.InitAsync(stack.Settings(project) with
        {
            Name = "baseline",
            Notes = "My first experiment",
            Tags = ["baseline", "paper1"],
            Config = new { epochs = 100, learning_rate = 0.001, batch_size = 128, optimizer = new { name = "sgd", momentum = 0.9 } },
        }))
        {
            runId = run.Id;
            Assert.Equal(100, run.Config.Get<int>("epochs"));
            Assert.Equal(0.9, run.Config.Get<double>("optimizer.momentum"));
            for (var step = 0; step < run.Config.Get<int>("epochs"); step++)
                run.Log(new Dictionary<string, double> { ["accuracy"] = step / 100.0, ["loss"] = 1.0 / (step + 1) });
            var artifact = await run.LogArtifactAsync(model, name: "trained-model", type: "model");
            Assert.Single(artifact.Files);
            var finished = await run.FinishAsync();
            Assert.True(finished.Complete, $"unacknowledged frames: {finished.Unacknowledged}");
        }

        var details = await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/{runId}",
            r => r?["state"]?.GetValue<string>() == "finished", "the run to be finished");
        Assert.Equal("baseline", details!["name"]!.GetValue<string>());
        Assert.Equal("My first experiment", details["notes"]!.GetValue<string>());
        Assert.Equal(["baseline", "paper1"], details["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal(100, details["config"]!["epochs"]!.GetValue<int>());
        Assert.Equal("sgd", details["config"]!["optimizer"]!["name"]!.GetValue<string>());
        Assert.Equal(0.99, details["summary"]!["accuracy"]!.GetValue<double>(), precision: 12);
        Assert.Equal(0.01, details["summary"]!["loss"]!.GetValue<double>(), precision: 12);
        Assert.Equal(99, details["lastStep"]!.GetValue<long>());

        var history = (await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/{runId}/history"))!.AsArray();
        Assert.Equal(100, history.Count);
        Assert.Equal(Enumerable.Range(0, 100), history.Select(row => (int)row!["_step"]!.GetValue<long>()));
        Assert.Equal(0.42, history[42]!["accuracy"]!.GetValue<double>(), precision: 12);
        Assert.Equal(1.0 / 43, history[42]!["loss"]!.GetValue<double>(), precision: 12);

        var onlyLoss = (await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/{runId}/history?keys=loss"))!.AsArray();
        Assert.Null(onlyLoss[0]!["accuracy"]);
        Assert.NotNull(onlyLoss[0]!["loss"]);

        var v0 = await stack.WaitForJsonAsync($"/api/v1/projects/{project}/artifacts/trained-model/latest",
            v => v is not null, "artifact version v0");
        Assert.Equal("v0", v0!["version"]!.GetValue<string>());
        Assert.Equal(runId, v0["createdBy"]!.GetValue<string>());
        var fileName = Path.GetFileName(model);
        var downloaded = await stack.Query.GetStringAsync($"/api/v1/projects/{project}/artifacts/trained-model/v0/files/{fileName}");
        Assert.Equal("weights v1", downloaded);

        var overview = await stack.WaitForJsonAsync($"/api/v1/projects/{project}",
            p => p?["runsByState"]?["finished"]?.GetValue<int>() == 1, "the project overview to count the finished run");
        Assert.Equal(1, overview!["runCount"]!.GetValue<int>());
        Assert.Contains("loss", overview["metricKeys"]!.AsArray().Select(k => k!.GetValue<string>()));
        Assert.Contains("optimizer.momentum", overview["configKeys"]!.AsArray().Select(k => k!.GetValue<string>()));
    }

    [Fact]
    public async Task New_content_makes_a_new_artifact_version_and_identical_content_does_not()
    {
        var project = StackFixture.NewProject("versions");
        var first = await LogModelAsync(project, "weights A");
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}/artifacts/trained-model",
            c => c?["versions"]?.AsArray().Count == 1, "v0");

        var same = await LogModelAsync(project, "weights A");
        var changed = await LogModelAsync(project, "weights B");
        var collection = await stack.WaitForJsonAsync($"/api/v1/projects/{project}/artifacts/trained-model",
            c => c?["versions"]?.AsArray().Count == 2 && c["versions"]![0]!["loggedBy"]!.AsArray().Count == 2, "v1 and the second run of v0");

        var versions = collection!["versions"]!.AsArray();
        Assert.Equal([first, same], versions[0]!["loggedBy"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Equal(changed, versions[1]!["createdBy"]!.GetValue<string>());
        Assert.Equal(["latest"], versions[1]!["aliases"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Empty(versions[0]!["aliases"]!.AsArray());
        Assert.Equal(Sha256("weights B"), versions[1]!["files"]![0]!["digest"]!.GetValue<string>());

        var runs = (await stack.GetJsonAsync($"/api/v1/projects/{project}/runs"))!["runs"]!.AsArray();
        Assert.Equal(3, runs.Count);
    }

    private async Task<string> LogModelAsync(string project, string content)
    {
        var path = await WriteTempFileAsync(content, "model.json");
        await using var run = await Experiment.InitAsync(stack.Settings(project));
        run.Log(new Dictionary<string, double> { ["loss"] = 0.5 });
        await run.LogArtifactAsync(path, "trained-model", "model");
        Assert.True((await run.FinishAsync()).Complete);
        return run.Id;
    }

    private static async Task<string> WriteTempFileAsync(string content, string name = "model.onnx")
    {
        var directory = Directory.CreateTempSubdirectory("runstream-test-");
        var path = Path.Combine(directory.FullName, name);
        await File.WriteAllTextAsync(path, content);
        return path;
    }

    private static string Sha256(string content) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(content)));
}
