using Runstream.Store.Artifacts;
using Runstream.Store.Runs;
using Runstream.Store.Views;

namespace Runstream.Store.Versioning;

/// <summary>
/// Every event type the store knows and the name it is stored under: the one list of event types (a type
/// missing here is unknown to the store). The version 1 names are exactly the names Marten gave these classes
/// by default before names were fixed, so events written then read unchanged. A fixture of each name's oldest
/// stored shape proves it still reads (the integration test <c>EventSchemaFixtureTests</c>).
/// </summary>
public static class StoredEventNames
{
    public static IReadOnlyList<StoredEventName> All { get; } =
    [
        // A run's frames.
        new(typeof(RunStarted), "run_started"),
        new(typeof(RunConfigUpdated), "run_config_updated"),
        new(typeof(MetricsLogged), "metrics_logged"),
        new(typeof(SummaryUpdated), "summary_updated"),
        new(typeof(ArtifactLogged), "artifact_logged"),
        new(typeof(RunFinished), "run_finished"),
        new(typeof(FrameRejected), "frame_rejected"),
        new(typeof(RunResumed), "run_resumed"),
        new(typeof(ArtifactUsed), "artifact_used"),
        new(typeof(RunEdited), "run_edited"),
        new(typeof(ConsoleLogged), "console_logged"),
        new(typeof(MetricDefined), "metric_defined"),
        new(typeof(MediaLogged), "media_logged"),
        new(typeof(RunRewound), "run_rewound"),
        // The server's word on a run.
        new(typeof(RunCrashed), "run_crashed"),
        new(typeof(RunRevived), "run_revived"),
        new(typeof(RunDeleted), "run_deleted"),
        new(typeof(RunRestored), "run_restored"),
        new(typeof(RunMoved), "run_moved"),
        // Streams of their own: artifact collections and saved views.
        new(typeof(ArtifactAliasSet), "artifact_alias_set"),
        new(typeof(ArtifactAliasRemoved), "artifact_alias_removed"),
        new(typeof(ViewSaved), "view_saved"),
        new(typeof(ViewDeleted), "view_deleted"),
    ];
}
