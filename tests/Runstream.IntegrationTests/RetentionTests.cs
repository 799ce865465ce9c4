using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using Runstream.Client;

namespace Runstream.IntegrationTests;

/// <summary>Deleting runs and projects for good: soft delete, restore, purge now through the admin API, and the timed purge.</summary>
[Collection(StackCollection.Name)]
public sealed class RetentionTests(StackFixture stack)
{
    [Fact]
    public async Task A_purged_run_leaves_no_row_and_no_file_of_its_own_but_shared_files_stay()
    {
        var project = StackFixture.NewProject("retention");
        var sharedFolder = Folder("shared.bin", $"weights both runs logged {Guid.NewGuid()}");
        var ownFolder = Folder("own.bin", $"weights only the purged run logged {Guid.NewGuid()}");
        byte[] sharedPixels = Pixels(0, 200, 0), ownPixels = Pixels((byte)Random.Shared.Next(256), 7, 99);

        string keeper;
        await using (var run = await Experiment.InitAsync(stack.Settings(project)))
        {
            keeper = run.Id;
            run.Log(new Dictionary<string, double> { ["loss"] = 0.9 });
            await run.LogArtifactAsync(sharedFolder, name: "shared", type: "model");
            run.LogMedia(new Dictionary<string, MediaValue> { ["sample"] = Image.FromPixels(sharedPixels, 4, 4) });
            Assert.True((await run.FinishAsync()).Complete);
        }
        string doomed;
        await using (var run = await Experiment.InitAsync(stack.Settings(project) with { CaptureConsole = true, FlushInterval = TimeSpan.FromMilliseconds(200) }))
        {
            doomed = run.Id;
            Console.WriteLine($"epoch 1 of {doomed}");
            for (var step = 0; step < 5; step++)
                run.Log(new Dictionary<string, double> { ["loss"] = 1.0 / (step + 1), ["doomed_only/acc"] = step });
            await run.LogArtifactAsync(sharedFolder, name: "shared", type: "model");
            await run.LogArtifactAsync(ownFolder, name: "own", type: "model");
            run.LogMedia(new Dictionary<string, MediaValue> { ["sample"] = new ImageList([Image.FromPixels(ownPixels, 4, 4), Image.FromPixels(sharedPixels, 4, 4)]) });
            Assert.True((await run.FinishAsync()).Complete);
        }
        var runPath = $"/api/v1/projects/{project}/runs/{doomed}";
        await stack.WaitForJsonAsync($"{runPath}/logs", l => l?["lines"]?.AsArray().Any(x => x!["text"]!.GetValue<string>().Contains(doomed)) == true, "the console line");
        await stack.WaitForJsonAsync($"{runPath}/media", m => m?["keys"]?.AsArray().Count == 1, "the run's media");
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}/artifacts/own", a => a?["versions"]?.AsArray().Count == 1, "the run's own artifact");
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}", p => p?["runCount"]?.GetValue<int>() == 2, "two runs counted");

        var runKey = $"{stack.Entity}/{project}/{doomed}";
        var mediaDigests = await DigestsAsync(runKey);
        var keeperDigests = await DigestsAsync($"{stack.Entity}/{project}/{keeper}");
        var ownFiles = new[] { Sha256(Path.Combine(ownFolder, "own.bin")) }.Concat(mediaDigests.Except(keeperDigests)).ToList();
        var sharedFiles = new[] { Sha256(Path.Combine(sharedFolder, "shared.bin")) }.Concat(keeperDigests).ToList();
        Assert.Equal(2, ownFiles.Count);
        Assert.All(ownFiles.Concat(sharedFiles), digest => Assert.True(File.Exists(BlobPath(digest)), $"blob {digest} stored"));

        // Soft delete, restore, delete again: a purge refuses a run that is not deleted, and wants the admin key.
        using (var deleted = await stack.Query.DeleteAsync(runPath))
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        using (var restored = await stack.Query.PostAsync($"{runPath}/restore", null))
            Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
        Assert.Null((await stack.GetJsonAsync(runPath))!["deletedAt"]);
        var purge = new { entity = stack.Entity, project, runId = doomed };
        using (var refused = await stack.Admin.PostAsJsonAsync("/admin/v1/purge", purge))
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        using (var notAdmin = await stack.Query.PostAsJsonAsync("/admin/v1/purge", purge))
            Assert.Equal(HttpStatusCode.Unauthorized, notAdmin.StatusCode);
        (await stack.Query.DeleteAsync(runPath)).Dispose();

        using var purged = await stack.Admin.PostAsJsonAsync("/admin/v1/purge", purge);
        Assert.Equal(HttpStatusCode.OK, purged.StatusCode);
        var answer = (await purged.Content.ReadFromJsonAsync<JsonNode>())!;
        var removed = answer["removed"]!;
        Assert.True(answer["completed"]!.GetValue<bool>());
        Assert.Empty(answer["skipped"]!.AsArray());
        Assert.Equal(1, removed["runs"]!.GetValue<int>());
        Assert.True(removed["events"]!.GetValue<long>() >= 5, removed.ToJsonString());
        Assert.Equal(1, removed["streams"]!.GetValue<long>());
        Assert.True(removed["metricChunks"]!.GetValue<long>() > 0 && removed["consoleLines"]!.GetValue<long>() > 0 && removed["mediaCells"]!.GetValue<long>() > 0, removed.ToJsonString());
        Assert.Equal(1, removed["artifactVersions"]!.GetValue<long>());
        Assert.Equal(2, removed["blobs"]!.GetValue<long>());

        // No row of any table mentions the run, but its tombstone knows its key's hash.
        await using (var database = await stack.OpenDatabaseAsync())
        {
            Assert.Empty(await RowsMentioningAsync(database, doomed));
            await using var tombstone = new NpgsqlCommand("select data ->> 'deletedBy', data ->> 'purgedBy' from runstream.mt_doc_purgedrun where id = $1", database)
                { Parameters = { new() { Value = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(runKey))) } } };
            await using var reader = await tombstone.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.False(reader.IsDBNull(0));
            Assert.Equal("admin", reader.GetString(1));
        }
        Assert.All(ownFiles, digest => Assert.False(File.Exists(BlobPath(digest)), $"blob {digest} only the purged run referenced is gone"));
        Assert.All(sharedFiles, digest => Assert.True(File.Exists(BlobPath(digest)), $"blob {digest} a live run references stays"));

        // The API knows it no more; the live run and its shared artifact are whole, and the project counts one run.
        foreach (var path in new[] { runPath, $"{runPath}/logs", $"{runPath}/media", $"{runPath}/audit", $"/api/v1/projects/{project}/artifacts/own" })
            Assert.Equal(HttpStatusCode.NotFound, (await stack.Query.GetAsync(path)).StatusCode);
        var runs = await stack.GetJsonAsync($"/api/v1/projects/{project}/runs?deleted=true");
        Assert.Empty(runs!["runs"]!.AsArray());
        var shared = await stack.GetJsonAsync($"/api/v1/projects/{project}/artifacts/shared");
        Assert.Equal([keeper], shared!["versions"]![0]!["loggedBy"]!.AsArray().Select(r => r!.GetValue<string>()));
        var overview = await stack.GetJsonAsync($"/api/v1/projects/{project}");
        Assert.Equal(1, overview!["runCount"]!.GetValue<int>());
        Assert.DoesNotContain("doomed_only/acc", overview["metricKeys"]!.AsArray().Select(k => k!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.OK, (await stack.Query.GetAsync($"/api/v1/projects/{project}/runs/{keeper}")).StatusCode);
        using (var again = await stack.Admin.PostAsJsonAsync("/admin/v1/purge", purge))
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task A_deleted_project_can_have_runs_restored_and_is_purged_when_its_period_is_over()
    {
        var project = StackFixture.NewProject("retention-project");
        var ids = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            await using var run = await Experiment.InitAsync(stack.Settings(project));
            ids.Add(run.Id);
            run.Log(new Dictionary<string, double> { ["loss"] = i });
            Assert.True((await run.FinishAsync()).Complete);
        }
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}", p => p?["runCount"]?.GetValue<int>() == 2, "two runs counted");

        using (var deleted = await stack.Query.DeleteAsync($"/api/v1/projects/{project}"))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
            var body = (await deleted.Content.ReadFromJsonAsync<JsonNode>())!;
            Assert.Equal(ids.Order(), body["deleted"]!.AsArray().Select(r => r!.GetValue<string>()).Order());
        }
        Assert.Equal(HttpStatusCode.NotFound, (await stack.Query.DeleteAsync($"/api/v1/projects/{StackFixture.NewProject("none")}")).StatusCode);
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}", p => p?["runCount"]?.GetValue<int>() == 0, "no run counted");
        using (var restored = await stack.Query.PostAsync($"/api/v1/projects/{project}/runs/{ids[0]}/restore", null))
            Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}", p => p?["runCount"]?.GetValue<int>() == 1, "the restored run counted");
        (await stack.Query.DeleteAsync($"/api/v1/projects/{project}/runs/{ids[0]}")).Dispose();

        // A Projections instance with a short period purges both; the stack's own keeps the default of 30 days.
        const string name = "projections-retention";
        await stack.StartAnotherAsync(name, "projections", "http", new Dictionary<string, string>
        {
            ["Retention__DeletedRunsKeptFor"] = "00:00:01",
            ["Retention__CheckEvery"] = "00:00:01",
        });
        try
        {
            var keys = ids.Select(id => $"{stack.Entity}/{project}/{id}").ToArray();
            await Poll.UntilAsync(async () =>
            {
                await using var database = await stack.OpenDatabaseAsync();
                await using var count = new NpgsqlCommand("select count(*) from runstream.mt_streams where id = any($1)", database) { Parameters = { new() { Value = keys } } };
                return (long)(await count.ExecuteScalarAsync())!;
            }, left => left == 0, "the timed purge of both runs", TimeSpan.FromSeconds(90));
        }
        finally
        {
            await stack.StopAsync(name);
        }
        await using (var database = await stack.OpenDatabaseAsync())
            foreach (var id in ids)
                Assert.Empty(await RowsMentioningAsync(database, id));
        Assert.Equal(HttpStatusCode.NotFound, (await stack.Query.GetAsync($"/api/v1/projects/{project}")).StatusCode);
        Assert.Empty((await stack.GetJsonAsync($"/api/v1/projects/{project}/runs?deleted=true"))!["runs"]!.AsArray());
    }

    /// <summary>"table: row" for every row of every table of the store's schema whose text holds <paramref name="needle"/>.</summary>
    private static async Task<List<string>> RowsMentioningAsync(NpgsqlConnection database, string needle)
    {
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("select table_name from information_schema.tables where table_schema = 'runstream' and table_type = 'BASE TABLE'", database))
        await using (var reader = await list.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                tables.Add(reader.GetString(0));
        var found = new List<string>();
        foreach (var table in tables)
        {
            await using var search = new NpgsqlCommand($"select left(t::text, 200) from runstream.{table} t where strpos(t::text, $1) > 0", database) { Parameters = { new() { Value = needle } } };
            await using var reader = await search.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                found.Add($"{table}: {reader.GetString(0)}");
        }
        return found;
    }

    private async Task<List<string>> DigestsAsync(string runKey)
    {
        await using var database = await stack.OpenDatabaseAsync();
        await using var command = new NpgsqlCommand("select distinct unnest(digests) from runstream.media_cells where run_key = $1", database) { Parameters = { new() { Value = runKey } } };
        await using var reader = await command.ExecuteReaderAsync();
        var digests = new List<string>();
        while (await reader.ReadAsync())
            digests.Add(reader.GetString(0));
        return digests;
    }

    private string BlobPath(string digest) => Path.Combine(stack.BlobsRoot, digest[..2], digest[2..4], digest);

    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    private static string Folder(string file, string content)
    {
        var folder = Directory.CreateTempSubdirectory("runstream-retention-").FullName;
        File.WriteAllText(Path.Combine(folder, file), content);
        return folder;
    }

    private static byte[] Pixels(byte r, byte g, byte b) => [.. Enumerable.Range(0, 16).SelectMany(_ => new[] { r, g, b })];
}
