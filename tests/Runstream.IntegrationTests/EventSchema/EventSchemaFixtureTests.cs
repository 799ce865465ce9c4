using System.Text.Json.Nodes;
using JasperFx.Events;
using Marten;
using Runstream.Store.Runs;
using Runstream.Store.Versioning;

namespace Runstream.IntegrationTests.EventSchema;

/// <summary>
/// Events are kept for ever, so every shape ever stored must still read. Each stored event name has a fixture of
/// its oldest shape (<see cref="EventFixture"/>), planted as raw rows and read back through the store as the
/// services configure it: names, upcasters and projections.
/// </summary>
public sealed class EventSchemaFixtureTests(EventStoreOfItsOwn events) : IClassFixture<EventStoreOfItsOwn>
{
    /// <summary>The event types of this product, as the store knows them (Marten adds types of its own).</summary>
    private IReadOnlyList<IEventType> RegisteredEventTypes() =>
        [.. events.Store.Options.Events.AllKnownEventTypes().Where(t => t.EventType.Assembly == typeof(RunStarted).Assembly)];

    [Fact]
    public void Every_registered_event_type_has_a_fixture_of_its_oldest_stored_shape()
    {
        var registered = RegisteredEventTypes();
        Assert.NotEmpty(registered);
        var missing = registered.Where(t => !EventFixture.Names().Contains(t.EventTypeName))
            .Select(t => $"{t.EventType.Name} (stored as '{t.EventTypeName}')").ToList();
        Assert.True(missing.Count == 0,
            $"Add a fixture to EventFixtures/ for each of: {string.Join(", ", missing)}: its JSON as first stored and what it reads as.");
    }

    [Fact]
    public void Every_registered_event_type_is_stored_under_its_fixed_name()
    {
        var unnamed = RegisteredEventTypes().Select(t => t.EventType).Except(StoredEventNames.All.Select(n => n.EventType)).ToList();
        Assert.True(unnamed.Count == 0, $"Name these event types in StoredEventNames: {string.Join(", ", unnamed.Select(t => t.Name))}.");
        Assert.All(StoredEventNames.All, name =>
            Assert.Equal(name.Alias, events.Store.Options.Events.AllKnownEventTypes().Single(t => t.EventType == name.EventType).EventTypeName));
    }

    public static TheoryData<string> Fixtures() => [.. EventFixture.Names()];

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task A_stored_event_reads_into_the_current_shape(string name)
    {
        var fixture = EventFixture.Load(name);
        var streamKey = $"fixtures/{name}/{Guid.NewGuid():N}";
        await StoredRows.PlantAsync(events, streamKey, [fixture]);

        await using var session = events.Store.QuerySession();
        var read = Assert.Single(await session.Events.FetchStreamAsync(streamKey));
        var actual = JsonNode.Parse(events.Store.Options.Serializer().ToJson(read.Data));
        Assert.True(JsonNode.DeepEquals(fixture.Reads, actual),
            $"'{name}' as first stored ({fixture.FirstWritten}) reads as {read.Data.GetType().Name}\n{actual}\nbut should read as\n{fixture.Reads}");
    }

    /// <summary>
    /// The first release's frame events carried no sequence: each was stored at the stream version equal to its
    /// frame's sequence. Read with JSON defaults they would say sequence 0, an edit from outside the run.
    /// </summary>
    [Fact]
    public async Task A_run_of_the_first_release_keeps_its_frame_sequence()
    {
        var streamKey = $"team-a/first-release/{Guid.NewGuid():N}";
        await StoredRows.PlantAsync(events, streamKey, [.. new[] { "run_started", "run_config_updated", "metrics_logged",
            "summary_updated", "artifact_logged", "run_finished" }.Select(EventFixture.Load)]);

        await using var session = events.Store.QuerySession();
        var run = await session.Events.AggregateStreamAsync<RunDetails>(streamKey);
        Assert.NotNull(run);
        Assert.Equal(6, run.LastSequence);
        Assert.Equal(RunState.Finished, run.State);
        Assert.Equal("first-light", run.Name);
        Assert.Equal(128, run.Config["batch_size"]!.GetValue<int>());
        Assert.Equal(0.7, run.Summary["loss"]!.GetValue<double>());
        Assert.Equal(0.625, run.Summary["best_accuracy"]!.GetValue<double>());
        Assert.Equal(1, run.LastStep);
        Assert.Equal("cat-model", Assert.Single(run.ArtifactsLogged).Name);
        Assert.Equal([1, 2, 3, 4, 5, 6], (await session.Events.FetchStreamAsync(streamKey)).Select(e => ((IFrameEvent)e.Data).Sequence));
    }

    /// <summary>
    /// The first release's frame events share their name with today's, so their upcaster reads every event of
    /// those names: today's must come through it as written, fetched as a stream or queried.
    /// </summary>
    [Fact]
    public async Task A_frame_event_written_today_reads_through_its_upcaster_unchanged()
    {
        var streamKey = $"team-a/today/{Guid.NewGuid():N}";
        var started = new RunStarted(5, "team-a", "today", "r1", "n", null, [], null, null, [], DateTimeOffset.UnixEpoch);
        await using (var session = events.Store.LightweightSession())
        {
            session.Events.Append(streamKey, started, new RunFinished(6, 0, DateTimeOffset.UnixEpoch));
            await session.SaveChangesAsync();
        }

        await using var query = events.Store.QuerySession();
        var fetched = await query.Events.FetchStreamAsync(streamKey);
        var queried = await query.Events.QueryAllRawEvents().Where(e => e.StreamKey == streamKey).OrderBy(e => e.Version).ToListAsync();
        foreach (var read in new[] { fetched, queried })
        {
            Assert.Equal(["run_started", "run_finished"], read.Select(e => e.EventTypeName));
            Assert.Equal([5, 6], read.Select(e => ((IFrameEvent)e.Data).Sequence));
            Assert.Equal("today", Assert.IsType<RunStarted>(read[0].Data).Project);
        }
    }

    /// <summary>Every run event in its oldest shape, in one stream, makes the run its history says.</summary>
    [Fact]
    public async Task A_run_made_of_every_oldest_shape_aggregates()
    {
        var streamKey = $"team-a/every-shape/{Guid.NewGuid():N}";
        var runEvents = EventFixture.Names().Select(EventFixture.Load)
            .Where(f => f.DotnetType.StartsWith("Runstream.Store.Runs.", StringComparison.Ordinal)).OrderBy(f => f.StreamVersion).ToList();
        Assert.Equal(runEvents.Count, runEvents.Select(f => f.StreamVersion).Distinct().Count());
        await StoredRows.PlantAsync(events, streamKey, runEvents);

        await using var session = events.Store.QuerySession();
        var run = await session.Events.AggregateStreamAsync<RunDetails>(streamKey);
        Assert.NotNull(run);
        Assert.Equal(13, run.LastSequence);
        Assert.Equal(RunState.Running, run.State);
        Assert.Equal([new RunRewind(199, DateTimeOffset.Parse("2026-12-05T12:00:00+00:00"), 13)], run.Rewinds);
        Assert.Equal(0.42, run.Summary["loss"]!.GetValue<double>());
        Assert.Equal("edited from the dashboard", run.Notes);
        Assert.Equal(["baseline", "best"], run.Tags);
        Assert.Equal([new RejectedFrame(7, "The frame carries no payload.")], run.RejectedFrames);
        Assert.Equal("cats", Assert.Single(run.ArtifactsUsed).Name);
        Assert.Equal(2, run.ConsoleLines);
        Assert.Equal("max", run.MetricDefinitions["val/*"].Summary);
        Assert.Equal("dogs", run.MovedTo);
        Assert.NotNull(run.DeletedAt);
    }
}
