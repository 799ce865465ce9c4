using System.Net;
using System.Net.Http.Json;
using Runstream.Contracts.V1;

namespace Runstream.IntegrationTests;

/// <summary>A run's audit trail is read from its event stream: what the run sent, what the server decided, and which API key edited it.</summary>
[Collection(StackCollection.Name)]
public sealed class AuditTests(StackFixture stack)
{
    [Fact]
    public async Task The_audit_trail_lists_the_runs_decisions_in_order_without_its_data()
    {
        using var ingest = new RawIngestClient(stack.IngestUrl, stack.ApiKey);
        var project = StackFixture.NewProject("audit");
        var run = new RunRef { Project = project, RunId = "audited" };
        var replies = await ingest.SendAsync(
            RawIngestClient.Started(run, 1),
            RawIngestClient.Metrics(run, 2, 0, ("loss", 0.5)),
            new RunFrame { Run = run, Sequence = 3, Edited = new RunEdited { Tags = new TagList { Tags = { "from-the-run" } } } },
            RawIngestClient.Metrics(run, 4, -1, ("loss", 0.4)),
            RawIngestClient.Finished(run, 5));
        Assert.Single(replies, r => r.Error is not null);
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/audited", r => r?["state"]?.GetValue<string>() == "finished", "the run to finish");
        using (var edit = await stack.Query.PatchAsJsonAsync($"/api/v1/projects/{project}/runs/audited", new { notes = "checked by hand" }))
            Assert.Equal(HttpStatusCode.OK, edit.StatusCode);

        var entries = (await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/audited/audit"))!["entries"]!.AsArray();
        Assert.Equal(["started", "edited", "frame rejected", "finished", "edited"], entries.Select(e => e!["kind"]!.GetValue<string>()));
        Assert.Equal([1L, 3, 4, 5, null], entries.Select(e => e!["sequence"]?.GetValue<long>()));
        Assert.Equal("tags [from-the-run]", entries[1]!["detail"]!.GetValue<string>());
        Assert.Equal("run", entries[1]!["by"]!.GetValue<string>());
        Assert.Contains("metrics.rows[0].step", entries[2]!["detail"]!.GetValue<string>());
        Assert.Equal("server", entries[2]!["by"]!.GetValue<string>());
        Assert.Equal("notes \"checked by hand\"", entries[4]!["detail"]!.GetValue<string>());
        Assert.Equal(stack.ApiKey.Split('_')[1], entries[4]!["by"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await stack.Query.GetAsync($"/api/v1/projects/{project}/runs/nobody/audit")).StatusCode);
    }
}
