using System.Text.Json.Nodes;
using Runstream.Query.Runs;
using Runstream.Store.Runs;

namespace Runstream.UnitTests;

public sealed class RunMoveTests
{
    private static RunDetails Run(RunState state = RunState.Finished) =>
        new() { Id = "e/cats/r1", Entity = "e", Project = "cats", RunId = "r1", State = state, StreamVersion = 12 };

    [Fact]
    public void An_ended_run_moves_and_the_others_say_why_not()
    {
        Assert.Null(RunMove.Refusal(Run()));
        Assert.Null(RunMove.Refusal(Run(RunState.Crashed)));
        Assert.Contains("is running", RunMove.Refusal(Run(RunState.Running)));
        Assert.Contains("is deleted", RunMove.Refusal(new RunDetails { RunId = "r1", DeletedAt = DateTimeOffset.UtcNow }));
        Assert.Contains("already moved to project 'dogs'", RunMove.Refusal(new RunDetails { RunId = "r1", DeletedAt = DateTimeOffset.UtcNow, MovedTo = "dogs" }));
        var withArtifact = Run();
        withArtifact.ArtifactsLogged.Add(new RunArtifact("model", new string('a', 64)));
        Assert.Contains("belong to project 'cats'", RunMove.Refusal(withArtifact));
        var long_ = Run();
        long_.StreamVersion = RunMove.MaxEvents + 1;
        Assert.Contains($"the limit of a move is {RunMove.MaxEvents}", RunMove.Refusal(long_));
    }

    [Fact]
    public void The_new_stream_starts_in_the_new_project_without_the_old_places_deletions()
    {
        var started = new RunStarted(1, "e", "cats", "r1", "run-1", null, [], null, null, new JsonObject(), DateTimeOffset.UnixEpoch);
        var finished = new RunFinished(3, 0, DateTimeOffset.UnixEpoch);
        object[] events =
        [
            started, new MetricsLogged(2, []), finished,
            new RunDeleted(RunState.Finished, "k", DateTimeOffset.UnixEpoch), new RunRestored(RunState.Finished, "k", DateTimeOffset.UnixEpoch),
        ];
        var copied = RunMove.EventsFor(events, "dogs");
        Assert.Equal(3, copied.Count);
        Assert.Equal("dogs", Assert.IsType<RunStarted>(copied[0]).Project);
        Assert.Equal(started with { Project = "dogs" }, copied[0]);
        Assert.IsType<MetricsLogged>(copied[1]);
        Assert.Same(finished, copied[2]);
    }
}
