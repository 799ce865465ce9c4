using Marten;
using Runstream.Store.Runs;

namespace Runstream.Projections.Runs.ApplyingFrames;

/// <summary>
/// Names the runs started without one, in the transaction that appends their start, so the name is
/// part of the recorded event (a rebuild gives every run the name it had).
/// </summary>
public static class RunNaming
{
    /// <summary>Replaces, in place, each start without a name by one with a generated name.</summary>
    public static async Task NameNewRunsAsync(IDocumentSession session, IReadOnlyList<List<object>> eventLists, CancellationToken cancellation)
    {
        var unnamed = eventLists
            .SelectMany(events => events.Select((e, i) => (Events: events, Index: i, Started: e as Store.Runs.RunStarted)))
            .Where(x => x.Started is { Name: null })
            .ToList();
        if (unnamed.Count == 0)
            return;
        var projects = unnamed.Select(x => RunKey.ProjectKeyOf(x.Started!.Entity, x.Started.Project)).Distinct().ToArray();
        var loaded = (await session.LoadManyAsync<RunNumbers>(cancellation, projects)).ToDictionary(n => n.Id);
        var created = new Dictionary<string, RunNumbers>();
        foreach (var (events, index, started) in unnamed)
        {
            var project = RunKey.ProjectKeyOf(started!.Entity, started.Project);
            var numbers = loaded.GetValueOrDefault(project) ?? created.GetValueOrDefault(project) ?? (created[project] = new RunNumbers { Id = project });
            numbers.Last++;
            events[index] = started with { Name = RunNames.Generate(started.RunId, numbers.Last) };
        }
        // Optimistic concurrency on the counters: a concurrent writer that took a number of the same
        // project fails this transaction (or the other), and the retry takes the next number.
        foreach (var numbers in loaded.Values)
            session.Update(numbers);
        foreach (var numbers in created.Values)
            session.Insert(numbers);
    }
}
