using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Runstream.Client;

namespace Runstream.IntegrationTests;

/// <summary>What the workspace keeps on the server: saved views, deleted and moved runs, and search over tags and notes.</summary>
[Collection(StackCollection.Name)]
public sealed class WorkspaceTests(StackFixture stack)
{
    [Fact]
    public async Task Saved_views_are_events_that_can_be_listed_loaded_saved_again_and_deleted()
    {
        var project = StackFixture.NewProject("views");
        await using (var run = await Experiment.InitAsync(stack.Settings(project)))
            run.Log(new Dictionary<string, double> { ["loss"] = 1 });
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}", p => p is not null, "the project");

        const string state = "q=lr&sort=-summary.acc&smooth=0.6";
        using var created = await stack.Query.PostAsJsonAsync($"/api/v1/projects/{project}/views", new { name = "best by accuracy", state });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var view = (await created.Content.ReadFromJsonAsync<JsonNode>())!;
        var viewId = view["viewId"]!.GetValue<string>();
        Assert.Equal(state, view["state"]!.GetValue<string>());
        Assert.Equal($"/api/v1/projects/{project}/views/{viewId}", created.Headers.Location!.OriginalString);

        var listed = (await stack.GetJsonAsync($"/api/v1/projects/{project}/views"))!.AsArray();
        Assert.Equal(["best by accuracy"], listed.Select(v => v!["name"]!.GetValue<string>()));

        using var saved = await stack.Query.PutAsJsonAsync($"/api/v1/projects/{project}/views/{viewId}", new { name = "best", state = "sort=-summary.acc" });
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var loaded = (await stack.GetJsonAsync($"/api/v1/projects/{project}/views/{viewId}"))!;
        Assert.Equal("best", loaded["name"]!.GetValue<string>());
        Assert.Equal("sort=-summary.acc", loaded["state"]!.GetValue<string>());
        Assert.Equal(2, loaded["saves"]!.GetValue<int>());

        // Another entity neither sees nor loads it.
        using (var other = stack.QueryAs(await stack.CreateApiKeyAsync($"team-v-{Guid.NewGuid():N}"[..20])))
        {
            Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/v1/projects/{project}/views/{viewId}")).StatusCode);
            Assert.Empty((await other.GetFromJsonAsync<JsonArray>($"/api/v1/projects/{project}/views"))!);
            Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsJsonAsync($"/api/v1/projects/{project}/views", new { name = "x", state = "" })).StatusCode);
        }

        using (var deleted = await stack.Query.DeleteAsync($"/api/v1/projects/{project}/views/{viewId}"))
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Empty((await stack.GetJsonAsync($"/api/v1/projects/{project}/views"))!.AsArray());
        Assert.Null(await stack.GetJsonAsync($"/api/v1/projects/{project}/views/{viewId}"));
        Assert.Equal(["view_saved", "view_saved", "view_deleted"], await EventTypesAsync($"view:{stack.Entity}/{project}/{viewId}"));
    }

    [Fact]
    public async Task A_view_without_a_name_or_with_too_long_a_state_is_refused_by_field()
    {
        var project = StackFixture.NewProject("views-bad");
        await using (var run = await Experiment.InitAsync(stack.Settings(project)))
            run.Log(new Dictionary<string, double> { ["loss"] = 1 });
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}", p => p is not null, "the project");

        using var unnamed = await stack.Query.PostAsJsonAsync($"/api/v1/projects/{project}/views", new { name = " ", state = "" });
        Assert.Equal(HttpStatusCode.BadRequest, unnamed.StatusCode);
        Assert.Contains("name is empty", await unnamed.Content.ReadAsStringAsync());
        using var huge = await stack.Query.PostAsJsonAsync($"/api/v1/projects/{project}/views", new { name = "huge", state = new string('x', 40_000) });
        Assert.Equal(HttpStatusCode.BadRequest, huge.StatusCode);
        Assert.Contains("the limit is 32768", await huge.Content.ReadAsStringAsync());
        Assert.Empty((await stack.GetJsonAsync($"/api/v1/projects/{project}/views"))!.AsArray());
    }

    [Fact]
    public async Task A_deleted_run_leaves_lists_and_counts_until_restored_even_if_it_finishes_meanwhile()
    {
        var project = StackFixture.NewProject("delete");
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            await using var done = await Experiment.InitAsync(stack.Settings(project));
            ids.Add(done.Id);
            done.Log(new Dictionary<string, double> { ["loss"] = i });
        }
        var running = await Experiment.InitAsync(stack.Settings(project));
        running.Log(new Dictionary<string, double> { ["loss"] = 9 });
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}", p => p?["runsByState"]?["finished"]?.GetValue<int>() == 3
            && p["runsByState"]?["running"]?.GetValue<int>() == 1, "three finished runs and one running");

        using (var deleted = await stack.Query.DeleteAsync($"/api/v1/projects/{project}/runs/{ids[0]}"))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
            Assert.NotNull((await deleted.Content.ReadFromJsonAsync<JsonNode>())!["deletedAt"]);
        }
        (await stack.Query.DeleteAsync($"/api/v1/projects/{project}/runs/{running.Id}")).Dispose();
        await running.FinishAsync();
        await running.DisposeAsync();

        var page = (await stack.GetJsonAsync($"/api/v1/projects/{project}/runs"))!;
        Assert.Equal(2, page["total"]!.GetValue<long>());
        Assert.DoesNotContain(ids[0], page["runs"]!.AsArray().Select(r => r!["runId"]!.GetValue<string>()));
        var bin = (await stack.GetJsonAsync($"/api/v1/projects/{project}/runs?deleted=true"))!;
        Assert.Equal(new[] { ids[0], running.Id }.Order(), bin["runs"]!.AsArray().Select(r => r!["runId"]!.GetValue<string>()).Order());
        // The run still answers by its id (its page says it is deleted) and its history stays.
        Assert.NotNull((await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/{ids[0]}"))!["deletedAt"]);
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/{running.Id}", r => r?["state"]?.GetValue<string>() == "finished", "the deleted run to finish");
        // The deleted run that finished meanwhile counts nowhere.
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}", p => p?["runCount"]?.GetValue<int>() == 2
            && p["runsByState"]?["finished"]?.GetValue<int>() == 2 && p["runsByState"]?["running"]?.GetValue<int>() == 0, "the counts without the deleted runs");

        using (var restored = await stack.Query.PostAsync($"/api/v1/projects/{project}/runs/{running.Id}/restore", null))
            Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
        Assert.Equal(3, (await stack.GetJsonAsync($"/api/v1/projects/{project}/runs"))!["total"]!.GetValue<long>());
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}", p => p?["runCount"]?.GetValue<int>() == 3
            && p["runsByState"]?["finished"]?.GetValue<int>() == 3, "the restored run counted as finished");
        Assert.Contains("run_deleted", await EventTypesAsync($"{stack.Entity}/{project}/{running.Id}"));
        Assert.Equal("run_restored", (await EventTypesAsync($"{stack.Entity}/{project}/{running.Id}"))[^1]);

        // Deleting twice is one deletion; an unknown run is a 404.
        (await stack.Query.DeleteAsync($"/api/v1/projects/{project}/runs/{ids[0]}")).Dispose();
        Assert.Single(await EventTypesAsync($"{stack.Entity}/{project}/{ids[0]}"), t => t == "run_deleted");
        Assert.Equal(HttpStatusCode.NotFound, (await stack.Query.DeleteAsync($"/api/v1/projects/{project}/runs/nope")).StatusCode);
    }

    [Fact]
    public async Task A_moved_run_takes_its_history_to_the_other_project_and_leaves_the_first()
    {
        var from = StackFixture.NewProject("move-from");
        var to = StackFixture.NewProject("move-to");
        string movedId, stayingId;
        await using (var run = await Experiment.InitAsync(stack.Settings(from) with { Config = new { lr = 0.01 }, Tags = ["keep"] }))
        {
            movedId = run.Id;
            for (var step = 0; step < 50; step++)
                run.Log(new Dictionary<string, double> { ["loss"] = 1.0 / (step + 1) }, step: step);
        }
        await using (var run = await Experiment.InitAsync(stack.Settings(from)))
            stayingId = run.Id;
        var running = await Experiment.InitAsync(stack.Settings(from));
        running.Log(new Dictionary<string, double> { ["loss"] = 1 });
        await stack.WaitForJsonAsync($"/api/v1/projects/{from}", p => p?["runsByState"]?["finished"]?.GetValue<int>() == 2
            && p["runsByState"]?["running"]?.GetValue<int>() == 1, "two finished runs and one running");
        var before = (await stack.GetJsonAsync($"/api/v1/projects/{from}/runs/{movedId}"))!;

        using (var moved = await stack.Query.PostAsJsonAsync($"/api/v1/projects/{from}/runs/{movedId}/move", new { project = to }))
        {
            Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
            var run = (await moved.Content.ReadFromJsonAsync<JsonNode>())!;
            Assert.Equal(to, run["project"]!.GetValue<string>());
            Assert.Equal(movedId, run["runId"]!.GetValue<string>());
        }

        // There: the same run, as it was logged (its start time too), with its whole history.
        var there = (await stack.GetJsonAsync($"/api/v1/projects/{to}/runs/{movedId}"))!;
        Assert.Equal("finished", there["state"]!.GetValue<string>());
        Assert.Equal(0.01, there["config"]!["lr"]!.GetValue<double>());
        Assert.Equal(["keep"], there["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal(before["summary"]!.ToJsonString(), there["summary"]!.ToJsonString());
        Assert.Equal(before["createdAt"]!.GetValue<DateTimeOffset>(), there["createdAt"]!.GetValue<DateTimeOffset>());
        Assert.Null(there["deletedAt"]);
        var history = (await stack.GetJsonAsync($"/api/v1/projects/{to}/runs/{movedId}/history?keys=loss&samples=1000"))!;
        Assert.Equal(50, history["series"]!["loss"]!["count"]!.GetValue<int>());
        Assert.Equal([movedId], (await stack.GetJsonAsync($"/api/v1/projects/{to}/runs"))!["runs"]!.AsArray().Select(r => r!["runId"]!.GetValue<string>()));

        // Here: out of the list, the bin and the counts; its old address says where it went.
        var here = (await stack.GetJsonAsync($"/api/v1/projects/{from}/runs"))!;
        Assert.Equal(new[] { stayingId, running.Id }.Order(), here["runs"]!.AsArray().Select(r => r!["runId"]!.GetValue<string>()).Order());
        Assert.Empty((await stack.GetJsonAsync($"/api/v1/projects/{from}/runs?deleted=true"))!["runs"]!.AsArray());
        Assert.Equal(to, (await stack.GetJsonAsync($"/api/v1/projects/{from}/runs/{movedId}"))!["movedTo"]!.GetValue<string>());
        Assert.Equal("run_moved", (await EventTypesAsync($"{stack.Entity}/{from}/{movedId}"))[^1]);
        await stack.WaitForJsonAsync($"/api/v1/projects/{from}", p => p?["runCount"]?.GetValue<int>() == 2
            && p["runsByState"]?["finished"]?.GetValue<int>() == 1, "the first project without the run");
        await stack.WaitForJsonAsync($"/api/v1/projects/{to}", p => p?["runCount"]?.GetValue<int>() == 1
            && p["runsByState"]?["finished"]?.GetValue<int>() == 1 && p["metricKeys"]!.AsArray().Any(k => k!.GetValue<string>() == "loss"), "the second project with it");

        // Refused, with the reason: a running run, a run that moved already (also its restore), the same project, a bad name, an id taken there.
        async Task<(HttpStatusCode Status, string Body)> Move(string runId, string target)
        {
            using var answer = await stack.Query.PostAsJsonAsync($"/api/v1/projects/{from}/runs/{runId}/move", new { project = target });
            return (answer.StatusCode, await answer.Content.ReadAsStringAsync());
        }
        var refused = await Move(running.Id, to);
        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.Contains("is running", refused.Body);
        refused = await Move(movedId, to);
        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.Contains($"already moved to project '{to}'", refused.Body);
        Assert.Equal(HttpStatusCode.Conflict, (await stack.Query.PostAsync($"/api/v1/projects/{from}/runs/{movedId}/restore", null)).StatusCode);
        refused = await Move(stayingId, from);
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains("already", refused.Body);
        refused = await Move(stayingId, "no spaces");
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains("project 'no spaces' contains ' '", refused.Body);
        Assert.Equal(HttpStatusCode.NotFound, (await Move("nope", to)).Status);
        await running.FinishAsync();
        await running.DisposeAsync();
    }

    [Fact]
    public async Task Runs_are_found_by_a_word_of_their_tags_or_notes()
    {
        var project = StackFixture.NewProject("search");
        string tagged, noted;
        await using (var run = await Experiment.InitAsync(stack.Settings(project) with { Tags = ["Baseline-v2"] }))
            tagged = run.Id;
        await using (var run = await Experiment.InitAsync(stack.Settings(project) with { Notes = "a WIDER network" }))
            noted = run.Id;
        await (await Experiment.InitAsync(stack.Settings(project))).DisposeAsync();
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs", p => p?["total"]?.GetValue<long>() == 3, "three runs");

        async Task<string[]> Search(string word)
        {
            // What the dashboard's search box sends.
            var filter = new JsonObject { ["$or"] = new JsonArray(new[] { "name", "runId", "tags", "notes" }
                .Select(f => (JsonNode)new JsonObject { [f] = new JsonObject { ["$regex"] = $"(?i){word}" } }).ToArray()) };
            var page = await stack.GetJsonAsync($"/api/v1/projects/{project}/runs?filters={Uri.EscapeDataString(filter.ToJsonString())}");
            return [.. page!["runs"]!.AsArray().Select(r => r!["runId"]!.GetValue<string>())];
        }
        Assert.Equal([tagged], await Search("baseline"));
        Assert.Equal([noted], await Search("wider"));
    }

    private async Task<string[]> EventTypesAsync(string streamKey)
    {
        await using var database = await stack.OpenDatabaseAsync();
        await using var command = new NpgsqlCommand("select type from runstream.mt_events where stream_id = $1 order by version", database)
        { Parameters = { new() { Value = streamKey } } };
        var types = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            types.Add(reader.GetString(0));
        return [.. types];
    }
}
