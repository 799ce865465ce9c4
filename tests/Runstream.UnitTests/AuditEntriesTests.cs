using System.Text.Json;
using Runstream.Query.Audit;

namespace Runstream.UnitTests;

public sealed class AuditEntriesTests
{
    private static AuditEntry Describe(string type, string json) =>
        AuditEntries.Describe(7, DateTimeOffset.UnixEpoch, type, JsonDocument.Parse(json).RootElement);

    [Fact]
    public void Events_read_as_what_changed_and_who_changed_it()
    {
        var started = Describe("run_started", """{"sequence": 1, "name": "bright-owl-3", "tags": ["a", "b"], "config": {"lr": 0.1}}""");
        Assert.Equal(("started", 1L, "run", "as 'bright-owl-3'; tags [a, b]; config {\"lr\": 0.1}"), (started.Kind, started.Sequence!.Value, started.By, started.Detail));

        var editedFromApi = Describe("run_edited", """{"sequence": 0, "notes": "x", "name": "renamed", "editedBy": "abc123def456"}""");
        Assert.Equal(("edited", null, "abc123def456", "renamed 'renamed'; notes \"x\""), (editedFromApi.Kind, editedFromApi.Sequence, editedFromApi.By, editedFromApi.Detail));

        var failed = Describe("run_finished", """{"sequence": 9, "exitCode": 1, "failure": {"type": "ValueError", "message": "bad"}}""");
        Assert.Equal(("failed", "exit code 1; ValueError: bad"), (failed.Kind, failed.Detail));
        Assert.Equal(("finished", "exit code 0"), (Describe("run_finished", """{"exitCode": 0}""").Kind, Describe("run_finished", """{"exitCode": 0}""").Detail));

        Assert.Equal(("moved", "key1", "to project other"), Tuple(Describe("run_moved", """{"toProject": "other", "movedBy": "key1"}""")));
        Assert.Equal(("summary set", "run", "best = 0.9, model = resnet"), Tuple(Describe("summary_updated", """{"values": {"best": 0.9}, "strings": {"model": "resnet"}}""")));
        // Long text is cut: the trail says what changed, the run page shows the whole.
        var longNotes = Describe("run_edited", $$"""{"sequence": 2, "notes": "{{new string('n', 500)}}"}""").Detail;
        Assert.Equal($"notes \"{new string('n', 200)}…\"", longNotes);
    }

    private static (string, string, string) Tuple(AuditEntry entry) => (entry.Kind, entry.By, entry.Detail);
}
